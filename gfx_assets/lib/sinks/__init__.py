"""Where rows go: PostgreSQL directly, or Supabase through its REST API. Both speak `Sink`."""

from gfx_assets.lib.sinks.base import (
    JsonText,
    RowFailure,
    Sink,
    SinkAuthError,
    SinkError,
    SinkUnavailable,
    UpsertResult,
    require_all_written,
)

__all__ = [
    "JsonText",
    "RowFailure",
    "Sink",
    "SinkAuthError",
    "SinkError",
    "SinkUnavailable",
    "UpsertResult",
    "require_all_written",
]
