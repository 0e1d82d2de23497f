"""The ids of the hand tables: each a uuid5 (RFC 4122, name-based, SHA-1) of its row's natural key, so a
replay writes the same ids and children name their hand without reading it back. Dagster-free.

- hand:   uuid5(ID_NAMESPACE, "gfx_hand/<gfx_pc_id>/<session_id>/<hand_index>")
- seat:   uuid5(<hand id>, "seat/<seat_num>")
- event:  uuid5(<hand id>, "event/<event_order>")
- player: uuid5(ID_NAMESPACE, "gfx_player/<player_hash>")

These names are fixed: other people query the tables by these ids, and a test compares what is stored with
what the code of commit 32b7847 stored (gfx_assets_tests/gfx_hands/test_ids_unchanged.py).

`uuid5` gives what `uuid.uuid5` gives, at about 60% of its cost (a sync derives about 700,000 ids per 100 MB
of exports): the UUID is built from its integer as `uuid.UUID` builds itself (Python 3.13's
`UUID._from_int`), without the argument checks of `UUID.__init__`, which a 16-byte SHA-1 slice passes
by construction.
"""

import hashlib
import uuid

# uuid5 namespace of every id the sync derives (hands, seats, events, players)
ID_NAMESPACE = uuid.UUID("8a5a5c5e-5f0e-4d59-9d43-6b1f3c0e7a13")
_NAMESPACE = ID_NAMESPACE.bytes
_VERSION_AND_VARIANT_BITS = (0xF << 76) | (0x3 << 62)
_VERSION_5 = (5 << 76) | (0x2 << 62)  # version 5, RFC 4122 variant (binary 10)
_new = object.__new__
_set = object.__setattr__
_SAFETY_UNKNOWN = uuid.SafeUUID.unknown


def uuid5(namespace: bytes, name: str) -> uuid.UUID:
    """`uuid.uuid5` of a namespace given as its 16 bytes."""
    value = int.from_bytes(hashlib.sha1(namespace + name.encode()).digest()[:16], "big")
    made = _new(uuid.UUID)
    _set(made, "int", (value & ~_VERSION_AND_VARIANT_BITS) | _VERSION_5)
    _set(made, "is_safe", _SAFETY_UNKNOWN)
    return made


def hand_id(pc_id: str, session_id: int, hand_index: int) -> uuid.UUID:
    return uuid5(_NAMESPACE, f"gfx_hand/{pc_id}/{session_id}/{hand_index}")


def seat_id(hand: bytes, seat_num: int | None) -> uuid.UUID:
    """`hand`: the hand id's 16 bytes (`UUID.bytes` costs as much as half a uuid5: taken once per hand)."""
    return uuid5(hand, f"seat/{seat_num}")


def event_id(hand: bytes, event_order: int) -> uuid.UUID:
    """`hand`: the hand id's 16 bytes, as for `seat_id`."""
    return uuid5(hand, f"event/{event_order}")


def player_id(player_hash: str) -> uuid.UUID:
    return uuid5(_NAMESPACE, f"gfx_player/{player_hash}")
