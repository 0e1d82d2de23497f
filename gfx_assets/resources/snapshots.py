"""How superseded session snapshots are kept (GFX_SNAPSHOT_RETENTION)."""

from typing import Literal

import dagster as dg


class SnapshotRetention(dg.ConfigurableResource):
    """`compact` (default): a snapshot whose content a newer snapshot of the same session holds as a
    verified exact prefix loses its raw JSON (its row and ledger entry stay); `keep`: every snapshot keeps
    its raw JSON (the ledger and the prefix verdicts are still recorded)."""

    mode: Literal["keep", "compact"] = "compact"
