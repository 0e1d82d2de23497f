"""The target PostgreSQL as a Dagster resource."""

from pathlib import Path

import dagster as dg

from gfx_assets.lib.common.postgres import EMBEDDED_TARGET_DB, embedded_server_url, ensure_database


class GfxDatabase(dg.ConfigurableResource):
    """Target PostgreSQL. `url` is bound to GFX_DATABASE_URL with dg.EnvVar (so the UI shows the
    variable's name, never the DSN); empty means the embedded server under `home`."""

    url: str = ""
    home: str = ".gfx"

    def resolved_url(self) -> str:
        if self.url:
            return self.url
        return ensure_database(embedded_server_url(Path(self.home)), EMBEDDED_TARGET_DB)
