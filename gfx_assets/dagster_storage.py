"""Dagster's own storage (runs, event logs, schedules), named by dagster.yaml as a custom class.

dagster.yaml cannot compute a URL, and `dg dev`, `dg check defs` or `dagster job execute` read it
from the project folder with nothing exported; this class finds the storage the way `gfx-assets`
does: GFX_DAGSTER_STORAGE_URL, else a `dagster` database on the target server (embedded by default).
Its config is empty, so no URL (and no password) is ever serialised into an instance reference.
"""

from typing import Any

from dagster._serdes import ConfigurableClassData
from dagster_postgres import DagsterPostgresStorage

from gfx_assets.settings import get_settings


class GfxDagsterStorage(DagsterPostgresStorage):
    @classmethod
    def config_type(cls) -> dict:
        return {}

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, Any]
    ) -> "GfxDagsterStorage":
        from gfx_assets.cli.runtime import dagster_storage_url

        return cls(postgres_url=dagster_storage_url(get_settings()), inst_data=inst_data)
