"""What the REST sink sends for a row: the JSON values the standard library's encoder gives (msgspec writes
the rows of the hand tables, by the million), and for a row holding NaN or an infinity the token json writes,
which PostgreSQL refuses, so the row is refused and recorded, never stored as NULL."""

import json
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from gfx_assets.lib.sinks.base import JsonText
from gfx_assets.lib.sinks.rest_wire import ENCODER, encode_row


def _by_json(row: dict) -> bytes:
    return ENCODER.encode(row).encode()


def _instants(document: bytes) -> dict:
    """The decoded row, each datetime text read as the instant it names (`Z` and `+00:00` alike)."""
    decoded = json.loads(document)
    for column, value in decoded.items():
        if isinstance(value, str) and value[:4].isdigit() and "T" in value:
            decoded[column] = datetime.fromisoformat(value)
    return decoded


def _random_row(rng: random.Random) -> dict:
    moment = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.uniform(0, 3e7))
    return {
        "id": uuid.UUID(int=rng.getrandbits(128)),
        "at": moment,
        "local": moment.astimezone(timezone(timedelta(hours=rng.randint(-12, 12)))),
        "naive": moment.replace(tzinfo=None, microsecond=rng.choice([0, rng.randrange(10**6)])),
        "day": moment.date(),
        "clock": time(rng.randrange(24), rng.randrange(60), rng.randrange(60), rng.randrange(10**6)),
        "amount": rng.choice([rng.randrange(-(10**12), 10**12), 10**30, 0, None]),
        "share": rng.choice([rng.random() * 100, 1e16, 1e-7, -0.0, 12.5]),
        "price": Decimal(rng.randrange(10**6)) / 100,
        "name": "".join(chr(rng.randrange(1, 0xD7FF)) for _ in range(rng.randrange(12))),
        "cards": [f"{rng.choice('23456789tjqka')}{rng.choice('cdhs')}" for _ in range(rng.randrange(3))],
        "shown": rng.choice([True, False, None]),
    }


def test_a_row_encodes_to_the_values_json_gives() -> None:
    rng = random.Random(20)
    for row in (_random_row(rng) for _ in range(2000)):
        columns = list(row)
        assert _instants(encode_row(row, columns)) == _instants(_by_json(row))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_a_non_finite_float_is_sent_as_json_writes_it_for_postgresql_to_refuse(value: float) -> None:
    row = {"hand_id": uuid.UUID(int=1), "vpip_percent": value, "seat_num": 3}
    assert encode_row(row, list(row)) == _by_json(row)
    assert b"null" not in encode_row(row, list(row))


def test_an_export_is_spliced_in_as_it_is() -> None:
    row = {"file_hash": "ab", "raw_json": JsonText('{"ID": 1, "Hands": []}'), "day": date(2025, 1, 2)}
    assert (
        encode_row(row, list(row))
        == b'{"file_hash":"ab","raw_json":{"ID": 1, "Hands": []},"day":"2025-01-02"}'
    )
