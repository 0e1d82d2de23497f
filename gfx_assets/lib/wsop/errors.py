"""What can go wrong in a WSOP sync, by what the caller should do about it."""


class WsopConfigError(ValueError):
    """The sync is not configured (e.g. GFX_WSOP_SOURCE_URL unset): fix the setting, no retry helps."""


class SourceUnavailable(RuntimeError):
    """The WSOP+ source cannot be reached or dropped the connection: transient, retried."""


class SchemaMismatch(RuntimeError):
    """Source and target tables disagree (a source column the target lacks): needs a migration."""


class RowsRefused(RuntimeError):
    """The target refused rows of a table; nothing of the table's watermark moved."""


class SourceError(RuntimeError):
    """The source refused a query (no right to read a table, a bad type): retrying will not help."""
