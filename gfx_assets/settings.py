"""All configuration of gfx_assets: one pydantic-settings class read from `GFX_*` variables."""

import re
from functools import cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import psycopg
from psycopg.conninfo import conninfo_to_dict
from pydantic import (
    Field,
    HttpUrl,
    PositiveFloat,
    PositiveInt,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from gfx_assets.lib.common.redaction import redact


class SettingsError(ValueError):
    """A `GFX_` variable holds a value that cannot be used; the message names it."""


class GfxSettings(BaseSettings):
    """Every `GFX_` setting with its default. The README's settings table mirrors this class."""

    model_config = SettingsConfigDict(env_prefix="GFX_", extra="ignore")

    home: Path = Field(Path(".gfx"), description="Embedded database, Dagster home and sample NAS.")
    database_url: SecretStr | None = Field(None, description="Target PostgreSQL; unset = embedded server.")
    dagster_storage_url: SecretStr | None = Field(
        None,
        description="Dagster's run/event storage (read by dagster.yaml); unset = database `dagster` "
        "on the target server.",
    )
    nas_root: Path | None = Field(None, description="NAS root; unset = the sample NAS under GFX_HOME.")
    pc_registry: Path | None = Field(
        None, description="PC registry file; unset = config/pc_registry.json under the NAS root."
    )
    settle_seconds: float = Field(1.0, ge=0, description="A file is synced once unchanged this long.")
    still_writing_seconds: float = Field(
        300.0,
        ge=0,
        description="A file changed this recently is in flight: a truncated one is not rejected yet, and "
        "the reconciliation check does not count a missing one as missing.",
    )
    nas_quiet_seconds: float = Field(
        3600.0,
        ge=0,
        description="The sensor does not stat the files of a folder unchanged this long, files included, "
        "while its mtime stays the same (a file rewritten in place waits for GFX_NAS_RESCAN_SECONDS).",
    )
    nas_rescan_seconds: float = Field(
        300.0,
        ge=0,
        description="The sensor lists and stats every folder in full at least this often; 0 = on every tick "
        "(for a NAS whose directory mtimes cannot be trusted).",
    )
    batch_size: PositiveInt = Field(500, description="Rows per upsert chunk.")
    landing_connections: PositiveInt = Field(
        2,
        description="PostgreSQL connections a landing writes its chunks over at once (GFX_SINK=postgres); "
        "each keeps a server process busy with the files' JSON.",
    )
    hand_load_processes: PositiveInt = Field(
        2,
        description="Processes that load a big backlog of hands at once (4 batches of 500 hands or more: "
        "a first sync, a re-sync), the run's own included; 1 = the run's process alone. Each worker "
        "process takes ~50-75 MB.",
    )
    max_file_bytes: PositiveInt = Field(64 * 1024 * 1024, description="Larger files are rejected.")
    rescan_threshold: PositiveInt = Field(200, description="More changed files than this: rescan run.")
    sink: Literal["postgres", "supabase"] = Field("postgres", description="Where rows are written.")
    supabase_url: HttpUrl | None = Field(None, description="Supabase project URL (GFX_SINK=supabase).")
    supabase_service_key: SecretStr | None = Field(None, description="Supabase service key.")
    alert_webhook_url: SecretStr | None = Field(
        None, description="Slack-compatible webhook told about final sync failures; unset = no alert."
    )
    rest_max_body_bytes: PositiveInt = Field(4 * 1024 * 1024, description="Largest REST request body.")
    wsop_source_url: SecretStr | None = Field(
        None, description="WSOP+ source PostgreSQL (a read-only role is enough); unset = WSOP sync off."
    )
    # The default is known good: not validating it spares every command the import of Dagster (2 s).
    wsop_cron: str = Field(
        "*/15 * * * *", validate_default=False, description="When wsop_sync_schedule runs the WSOP+ sync."
    )
    wsop_timezone: str = Field("UTC", description="Time zone of GFX_WSOP_CRON.")
    wsop_lookback_seconds: float = Field(
        600.0, ge=0, description="Each WSOP sync re-reads this much before its watermark (late commits)."
    )
    wsop_chunk_rows: PositiveInt = Field(5000, description="WSOP rows per read chunk (REST sink path).")
    wsop_reconcile_action: Literal["delete", "recopy", "flag"] = Field(
        "delete", description="What the hourly WSOP reconciliation does with differences it finds."
    )
    snapshot_retention: Literal["keep", "compact"] = Field(
        "compact",
        description="Superseded session snapshots: `compact` drops the raw JSON of a snapshot whose hands "
        "a newer snapshot holds as an exact prefix (the ledger keeps its hash), `keep` keeps it.",
    )
    pc_silent_minutes: PositiveFloat = Field(
        10.0,
        description="A PC that wrote within the last hour and then no file for this long is silent: "
        "pc_health shows it, its partition's gfx_pc_writing check fails, and one alert goes out.",
    )
    run_retention_days: PositiveFloat = Field(
        14.0,
        description="Dagster runs that finished longer ago are deleted with their event logs, hourly; runs "
        "whose failure is still an open dead letter are kept.",
    )
    sink_request_deadline_seconds: PositiveFloat = Field(
        120.0,
        description="How long one sink request is retried (backoff, Retry-After) before the run's "
        "step is retried instead.",
    )

    @model_validator(mode="after")
    def _supabase_needs_url_and_key(self) -> "GfxSettings":
        if self.sink == "supabase" and not (self.supabase_url and self.supabase_service_key):
            raise ValueError("GFX_SINK=supabase needs GFX_SUPABASE_URL and GFX_SUPABASE_SERVICE_KEY")
        return self

    @field_validator("database_url", "dagster_storage_url", "wsop_source_url")
    @classmethod
    def _postgresql_url(cls, url: SecretStr | None) -> SecretStr | None:
        """A URL libpq can use; the message shows it with its password masked."""
        if url is None:
            return url
        value = url.get_secret_value()
        scheme = value.split("://", 1)[0] if "://" in value else ""
        try:
            if not re.fullmatch(r"postgres(ql)?(\+\w+)?", scheme, re.IGNORECASE):
                raise ValueError
            conninfo_to_dict(re.sub(r"^[^:]+://", "postgresql://", value))
        except (ValueError, psycopg.ProgrammingError):
            raise ValueError(f"must be a postgresql:// URL, got {redact(value)!r}") from None
        return url

    @field_validator("wsop_cron")
    @classmethod
    def _valid_cron(cls, cron: str) -> str:
        from dagster._utils.schedules import is_valid_cron_string  # the parser the schedule uses

        if not is_valid_cron_string(cron):
            raise ValueError("not a valid cron expression")
        return cron

    @field_validator("wsop_timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not a known IANA time zone") from None
        return name

    @property
    def dagster_home(self) -> Path:
        return self.home.resolve() / "dagster_home"

    @property
    def resolved_nas_root(self) -> Path:
        return (self.nas_root or self.home / "nas").resolve()


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    if not first["loc"]:  # a rule across settings: its message names the variables
        return first["msg"].removeprefix("Value error, ")
    field = "_".join(str(part) for part in first["loc"])
    shown = "" if field in _SECRET_FIELDS else f" (got {first.get('input')!r})"
    return f"GFX_{field.upper()}: {first['msg'].removeprefix('Value error, ')}{shown}"


_SECRET_FIELDS = {
    name for name, info in GfxSettings.model_fields.items() if "SecretStr" in str(info.annotation)
}


@cache
def get_settings() -> GfxSettings:
    """The process-wide settings; raises SettingsError with one line naming the bad variable."""
    try:
        return GfxSettings()
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None
