"""How long Dagster keeps finished runs and their event logs (GFX_RUN_RETENTION_DAYS)."""

from datetime import timedelta

import dagster as dg


class RunRetention(dg.ConfigurableResource):
    days: float = 14.0

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.days)
