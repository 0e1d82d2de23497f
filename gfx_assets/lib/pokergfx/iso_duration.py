"""ISO 8601 durations as PokerGFX writes them (.NET TimeSpan): `PT2M32.217716S`, `P739541DT16H23M11.2859356S`.

Hand-written, with a comment why: the project has no duration parser among its dependencies, and the
usual ones (isodate, pendulum) go through `timedelta` and floats; here the day count is huge (a
recording offset counts days since 0001-01-01) and seconds carry 7 decimals, so the arithmetic is exact
(`Decimal`). Years and months have no fixed length: a duration naming them is refused (None).
"""

import re
from decimal import Decimal

_DURATION = re.compile(
    r"(?P<sign>-)?P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?"
)
_UNIT_SECONDS = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60}


def duration_seconds(text: object) -> Decimal | None:
    """The exact length of an ISO 8601 duration in seconds; None if `text` is not one."""
    if not isinstance(text, str):
        return None
    match = _DURATION.fullmatch(text.strip())
    if match is None or text.strip().rstrip("T").endswith("P"):  # "P" or "PT" name no unit
        return None
    parts = match.groupdict()
    total = sum(
        (Decimal(int(parts[unit])) * size for unit, size in _UNIT_SECONDS.items() if parts[unit]), Decimal(0)
    )
    if parts["seconds"]:
        total += Decimal(parts["seconds"].replace(",", "."))
    return -total if parts["sign"] else total


def whole_seconds(text: object) -> int | None:
    """The duration in whole seconds, fractions cut off (`PT35M37.2477537S` -> 2137); None if not one."""
    seconds = duration_seconds(text)
    return int(seconds) if seconds is not None else None
