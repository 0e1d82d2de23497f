"""PostgREST's URL grammar and the SQL it runs, for the test look-alike in postgrest_app.py."""

import re
from collections.abc import Iterable

import psycopg
from psycopg import sql

_CATALOG = """
    SELECT c.relname, a.attname, format_type(a.atttypid, NULL)
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p')
      AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY c.relname, a.attnum
"""
_FUNCTION = "SELECT oid FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proname = %s"
_ARGUMENTS = """
    SELECT a.name, format_type(a.type_oid, NULL)
    FROM pg_proc p, unnest(p.proargnames, p.proargtypes::oid[]) WITH ORDINALITY AS a(name, type_oid, position)
    WHERE p.oid = %s
    ORDER BY a.position
"""
_NOT_FILTERS = {"select", "order", "limit", "offset", "columns", "on_conflict"}
_COMPARISONS = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_IS = {"null": "NULL", "true": "TRUE", "false": "FALSE", "unknown": "UNKNOWN"}
_LIST_ITEM = re.compile(r'"((?:[^"\\]|\\.)*)"|([^,]*)')
_STATUS = {"21000": 500, "23503": 409, "23505": 409, "42P01": 404, "42501": 403}


class BadRequest(Exception):
    """A request PostgREST refuses before it reaches PostgreSQL (400 with a PGRST code)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


async def catalog(conn: psycopg.AsyncConnection) -> dict[str, dict[str, str]]:
    """Every public table and view: column -> type, as PostgREST's schema cache knows them."""
    tables: dict[str, dict[str, str]] = {}
    for table, column, type_name in await (await conn.execute(_CATALOG)).fetchall():
        tables.setdefault(table, {})[column] = type_name
    return tables


async def function_call(conn: psycopg.AsyncConnection, function: str) -> sql.Composed | None:
    """The statement PostgREST runs for `POST /rpc/<function>`: the public function called with its
    arguments taken by name from the JSON body (json_to_record, typed by the function's signature), its
    result as JSON text; None when there is no such function."""
    found = await (await conn.execute(_FUNCTION, [function])).fetchone()
    if found is None:
        return None
    signature = await (await conn.execute(_ARGUMENTS, [found[0]])).fetchall()
    names, types = [name for name, _ in signature], [kind for _, kind in signature]
    arguments = sql.SQL(", ").join(sql.SQL("{0} => body.{0}").format(sql.Identifier(n)) for n in names)
    shape = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(t)) for n, t in zip(names, types, strict=True)
    )
    return sql.SQL("SELECT to_json({}({}))::text FROM json_to_record(%s::json) AS body({})").format(
        sql.Identifier(function), arguments, shape
    )


def status_of(sqlstate: str) -> int:
    """The HTTP status PostgREST answers a PostgreSQL error with."""
    return _STATUS.get(sqlstate) or (400 if sqlstate[:2] in ("22", "23", "42") else 500)


def upsert_sql(table: str, sent: list[str], conflict: list[str], resolution: str | None) -> sql.Composed:
    """One INSERT from the JSON body; ON CONFLICT only with on_conflict and a resolution, as PostgREST."""
    names = sql.SQL(", ").join(map(sql.Identifier, sent))
    statement = sql.SQL(
        "INSERT INTO {t} ({c}) SELECT {c} FROM json_populate_recordset(NULL::{t}, %s::json)"
    ).format(t=sql.Identifier(table), c=names)
    if not conflict or resolution not in ("merge-duplicates", "ignore-duplicates"):
        return statement
    updated = [column for column in sent if column not in conflict]
    action = sql.SQL("DO NOTHING")
    if resolution == "merge-duplicates" and updated:
        assignments = (sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(column)) for column in updated)
        action = sql.SQL("DO UPDATE SET {}").format(sql.SQL(", ").join(assignments))
    keys = sql.SQL(", ").join(map(sql.Identifier, conflict))
    return statement + sql.SQL(" ON CONFLICT ({}) {}").format(keys, action)


def where(params: Iterable[tuple[str, str]]) -> tuple[sql.Composable, list[str]]:
    """The horizontal filters: column=eq.v (neq, gt, gte, lt, lte), in.(a,"b,c"), is.null."""
    clauses: list[sql.Composable] = []
    values: list[str] = []
    for column, expression in params:
        if column in _NOT_FILTERS:
            continue
        operator, _, argument = expression.partition(".")
        target = sql.Identifier(column)
        if operator == "in":
            items = parse_list(argument)
            placeholders = sql.SQL(", ").join(sql.Placeholder() * len(items))
            clauses.append(sql.SQL("{} IN ({})").format(target, placeholders))
            values.extend(items)
        elif operator == "is" and argument.lower() in _IS:
            clauses.append(sql.SQL("{} IS {}").format(target, sql.SQL(_IS[argument.lower()])))
        elif operator in _COMPARISONS:  # the value is the rest of the parameter, taken verbatim
            clauses.append(sql.SQL("{} {} %s").format(target, sql.SQL(_COMPARISONS[operator])))
            values.append(argument)
        else:
            raise BadRequest("PGRST100", f"unknown or malformed filter {column}={expression}")
    return (sql.SQL(" AND ").join(clauses) if clauses else sql.SQL("TRUE")), values


def parse_list(argument: str) -> list[str]:
    """`(a,"b,c","d\\"e")` -> ['a', 'b,c', 'd"e']: a quoted item takes backslash escapes."""
    if not (argument.startswith("(") and argument.endswith(")")):
        raise BadRequest("PGRST100", f"malformed in. list {argument}")
    inner, items, position = argument[1:-1], [], 0
    while True:
        match = _LIST_ITEM.match(inner, position)
        quoted, plain = match.groups()
        items.append(re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else plain)
        position = match.end()
        if position >= len(inner):
            return items
        if inner[position] != ",":
            raise BadRequest("PGRST100", f"malformed in. list {argument}")
        position += 1


def order_by(order: str | None) -> sql.Composable:
    """`order=a,b.desc` as an ORDER BY clause."""
    terms = []
    for term in csv(order):
        column, _, direction = term.partition(".")
        descending = sql.SQL("DESC" if direction == "desc" else "ASC")
        terms.append(sql.SQL("{} {}").format(sql.Identifier(column), descending))
    return sql.SQL(" ORDER BY {}").format(sql.SQL(", ").join(terms)) if terms else sql.SQL("")


def same_keys(rows: list) -> list[str]:
    """The columns of a body without `columns=`: every row must be an object with the same keys."""
    if not all(isinstance(row, dict) for row in rows):
        raise BadRequest("PGRST102", "Empty or invalid json")
    keys = list(rows[0])
    if any(set(row) != set(keys) for row in rows):
        raise BadRequest("PGRST102", "All object keys must match")
    return keys


def preference(prefer: str, name: str) -> str | None:
    """One value of a `Prefer: resolution=merge-duplicates,return=minimal` header."""
    for item in prefer.split(","):
        key, _, value = item.strip().partition("=")
        if key == name:
            return value
    return None


def csv(value: str | None) -> list[str]:
    return [item.strip() for item in value.split(",")] if value else []
