"""All configuration of gfx_assets: one pydantic-settings class read from `GFX_*` variables."""

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, HttpUrl, PositiveInt, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    batch_size: PositiveInt = Field(500, description="Rows per upsert chunk.")
    max_file_bytes: PositiveInt = Field(64 * 1024 * 1024, description="Larger files are rejected.")
    rescan_threshold: PositiveInt = Field(200, description="More changed files than this: rescan run.")
    sink: Literal["postgres", "supabase"] = Field("postgres", description="Where rows are written.")
    supabase_url: HttpUrl | None = Field(None, description="Supabase project URL (GFX_SINK=supabase).")
    supabase_service_key: SecretStr | None = Field(None, description="Supabase service key.")
    alert_webhook_url: SecretStr | None = Field(
        None, description="Slack-compatible webhook told about final sync failures; unset = no alert."
    )
    rest_max_body_bytes: PositiveInt = Field(4 * 1024 * 1024, description="Largest REST request body.")

    @model_validator(mode="after")
    def _supabase_needs_url_and_key(self) -> "GfxSettings":
        if self.sink == "supabase" and not (self.supabase_url and self.supabase_service_key):
            raise ValueError("GFX_SINK=supabase needs GFX_SUPABASE_URL and GFX_SUPABASE_SERVICE_KEY")
        return self

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
    return f"GFX_{field.upper()}: {first['msg']}{shown}"


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
