"""How long a GFX PC may write nothing mid-show before it counts as silent (GFX_PC_SILENT_MINUTES)."""

from datetime import timedelta

import dagster as dg


class PcWatch(dg.ConfigurableResource):
    silent_minutes: float = 10.0

    @property
    def silent_after(self) -> timedelta:
        return timedelta(minutes=self.silent_minutes)
