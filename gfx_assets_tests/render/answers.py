"""What the graphics get from a database: every render function called for many arguments in one
statement, and the rows of the render views, with the fields that differ by nature (generated_at, uuids,
bookkeeping times, sync_status) left out, in a form two databases can be compared in.

Production's SQL has no tiebreak where two seats hold the same stack or match the same name:
v_render_chip_display numbers tied seats in any order and v_render_at_risk picks any of the seats tied
for the shortest stack. `untie_*` make such answers comparable: a tied seat's slot is the first slot of
its tie, and the at-risk name of a hand with a tie for the shortest stack is TIED; `name_is_ambiguous`
finds the by-name calls that read two entries of one name, and `untie_player_spellings` the players whose
hash several spellings share.
"""

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import psycopg

from gfx_assets_tests.render.reference_loader import Export, player_hash

VOLATILE_FIELDS = frozenset(
    {"generated_at", "id", "hand_id", "player_id", "event_id", "created_at", "updated_at", "processed_at"}
    | {"sync_status"}
)
TIED = "TIED"
Key = tuple  # (session_id, hand_num, ...) arguments of one call


@dataclass(frozen=True)
class RenderFunction:
    name: str
    arg_types: tuple[str, ...]  # SQL types of the arguments, in order


FUNCTIONS = {
    f.name: f
    for f in (
        RenderFunction("get_chip_display_data", ("bigint", "integer")),
        RenderFunction("get_at_risk_data", ("bigint", "integer")),
        RenderFunction("get_player_name_data", ("bigint", "integer", "integer")),
        RenderFunction("get_player_history_data", ("bigint", "integer", "text")),
        RenderFunction("get_chip_flow_data", ("bigint", "integer", "text")),
        RenderFunction("get_chip_comparison_data", ("bigint", "integer", "text")),
        RenderFunction("get_chips_n_hands_ago", ("bigint", "integer", "text", "integer")),
    )
}


def call_all(database_url: str, function: RenderFunction, calls: list[Key]) -> dict[Key, Any]:
    """The function's answer for each argument tuple, computed in one statement."""
    if not calls:
        return {}
    columns = list(zip(*calls, strict=True))
    arrays = ", ".join(f"%s::{kind}[]" for kind in function.arg_types)
    names = [f"a{i}" for i in range(len(function.arg_types))]
    statement = (
        f"SELECT {', '.join(names)}, {function.name}({', '.join(names)}) "
        f"FROM unnest({arrays}) AS t({', '.join(names)})"
    )
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(statement, [list(column) for column in columns]).fetchall()
    return {tuple(row[:-1]): without_volatile(row[-1]) for row in rows}


def without_volatile(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_volatile(v) for k, v in value.items() if k not in VOLATILE_FIELDS}
    if isinstance(value, list):
        return [without_volatile(v) for v in value]
    return value


def view_rows(database_url: str, view: str) -> list[dict[str, Any]]:
    """The view's rows without the volatile columns."""
    with psycopg.connect(database_url) as conn, conn.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {view}")
        names = [column.name for column in cursor.description]
        return [
            {name: value for name, value in zip(names, row, strict=True) if name not in VOLATILE_FIELDS}
            for row in cursor.fetchall()
        ]


def multiset(rows: Iterable[dict[str, Any]]) -> Counter:
    return Counter(json.dumps(row, sort_keys=True, default=str) for row in rows)


def untie_chip_display_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    first: dict[tuple, int] = defaultdict(lambda: 1_000_000)
    for row in rows:
        key = (row["session_id"], row["hand_num"], row["raw_chips"])
        first[key] = min(first[key], row["slot_index"])
    untied = []
    for row in rows:
        slot = first[(row["session_id"], row["hand_num"], row["raw_chips"])]
        untied.append({**row, "slot_index": slot, "rank": str(slot)})
    return untied


def untie_chip_display_answer(answer: dict[str, Any]) -> dict[str, Any]:
    slots = answer.get("slots") or []
    first: dict[str, int] = {}
    for slot in slots:
        chips = slot["fields"]["chips"]
        first[chips] = min(first.get(chips, slot["slot_index"]), slot["slot_index"])
    untied = [
        {
            "slot_index": first[s["fields"]["chips"]],
            "fields": {**s["fields"], "rank": str(first[s["fields"]["chips"]])},
        }
        for s in slots
    ]
    return (
        {**answer, "slots": sorted(untied, key=lambda s: json.dumps(s, sort_keys=True))} if slots else answer
    )


def untie_at_risk_rows(rows: list[dict[str, Any]], tied: set[tuple[int, int]]) -> list[dict[str, Any]]:
    return [
        {**row, "player_name": TIED} if (row["session_id"], row["hand_num"]) in tied else row for row in rows
    ]


def untie_at_risk_answer(key: Key, answer: dict[str, Any], tied: set[tuple[int, int]]) -> dict[str, Any]:
    if key[:2] not in tied or "at_risk" not in answer:
        return answer
    return {**answer, "at_risk": {**answer["at_risk"], "player_name": TIED}}


def seated(hand: dict[str, Any]) -> list[dict[str, Any]]:
    return [player for player in hand.get("Players", []) if not player.get("SittingOut")]


def hands_by_number(export: Export) -> dict[int, list[dict[str, Any]]]:
    numbered: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for hand in export.hands:
        numbered[hand["HandNum"]].append(hand)
    return numbered


def repeated_hand_nums(latest: dict[int, Export]) -> set[tuple[int, int]]:
    """(session_id, hand_num) pairs that name two hands or more of a game."""
    return {
        (session_id, number)
        for session_id, export in latest.items()
        for number, hands in hands_by_number(export).items()
        if len(hands) > 1
    }


def unique_hands(latest: dict[int, Export]) -> list[tuple[int, dict[str, Any]]]:
    """(session_id, hand) of every hand whose HandNum no other hand of its game has."""
    repeated = repeated_hand_nums(latest)
    return [
        (session_id, hand)
        for session_id, export in sorted(latest.items())
        for hand in export.hands
        if (session_id, hand["HandNum"]) not in repeated
    ]


def tied_for_shortest(latest: dict[int, Export]) -> set[tuple[int, int]]:
    """(session_id, hand_num) pairs where two seated entries share the shortest end stack."""
    tied = set()
    for session_id, export in latest.items():
        for number, hands in hands_by_number(export).items():
            stacks = [player["EndStackAmt"] for hand in hands for player in seated(hand)]
            if stacks and stacks.count(min(stacks)) > 1:
                tied.add((session_id, number))
    return tied


def calls_for(function: RenderFunction, latest: dict[int, Export], n_hands: tuple[int, ...]) -> list[Key]:
    """Every call the graphics could make for the games: per hand, and per seat or player name of the
    hand where the function takes one (hands whose HandNum repeats are left out, see `unique_hands`)."""
    calls: list[Key] = []
    for session_id, hand in unique_hands(latest):
        key = (session_id, hand["HandNum"])
        if function.arg_types == ("bigint", "integer"):
            calls.append(key)
        elif function.arg_types[2] == "integer":
            calls.extend((*key, player["PlayerNum"]) for player in hand["Players"])
        elif len(function.arg_types) == 3:
            calls.extend((*key, player["Name"]) for player in hand["Players"])
        else:
            calls.extend((*key, player["Name"], n) for player in hand["Players"] for n in n_hands)
    return calls


def seats_by_name(latest: dict[int, Export]) -> Counter:
    """Seated entries per (session_id, hand_num, lower(Name)): what production's LOWER(player_name) match
    finds for a name in a hand number."""
    return Counter(
        (session_id, hand["HandNum"], player["Name"].lower())
        for session_id, export in latest.items()
        for hand in export.hands
        for player in seated(hand)
    )


def hand_nums_read(name: str, key: Key, earlier: list[int]) -> list[int]:
    """The hand numbers of its game that a by-name function reads for the call `key`; `earlier`: the
    game's hand numbers."""
    current = key[1]
    if name == "get_chip_flow_data":
        return [number for number in earlier if number <= current]
    if name == "get_player_history_data":
        return [current, current - 10, current - 20, current - 30]
    if name == "get_chips_n_hands_ago":
        return [current - key[3]]
    return [current]


def name_is_ambiguous(name: str, key: Key, latest: dict[int, Export], seats: Counter) -> bool:
    """Whether a by-name call reads a hand number where two seated entries match the name: two seats whose
    names differ only in case ('asd' and 'ASD'), or one player in both hands of a repeated HandNum.
    Production's SQL then takes either entry (SELECT INTO / LIMIT 1 / ROW_NUMBER without a tiebreak)."""
    if len(key) < 3 or not isinstance(key[2], str):
        return False
    numbers = [hand["HandNum"] for hand in latest[key[0]].hands]
    return any(seats[(key[0], n, key[2].lower())] > 1 for n in hand_nums_read(name, key, numbers))


def spellings_by_hash(latest: dict[int, Export]) -> dict[str, set[str]]:
    spellings: dict[str, set[str]] = defaultdict(set)
    for export in latest.values():
        for hand in export.hands:
            for player in hand.get("Players", []):
                spellings[player_hash(player)].add(player["Name"])
    return spellings


def untie_player_spellings(rows: list[dict[str, Any]], latest: dict[int, Export]) -> list[dict[str, Any]]:
    """unified_players: a player hash that several spellings share ('asd', 'ASD') is one gfx_players row,
    and which spelling it keeps is the loader's choice (production's upsert order is not in the dump):
    such a row's names are compared lower-cased."""
    shared = {key for key, names in spellings_by_hash(latest).items() if len(names) > 1}
    return [
        {**row, "name": row["name"].lower(), "name_display": row["name_display"].lower()}
        if row["source"] == "gfx" and row["external_id"] in shared
        else row
        for row in rows
    ]
