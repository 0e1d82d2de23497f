"""Which COPY format a table's rows travel in, from the source into the target.

Binary COPY skips formatting every uuid, timestamp and numeric as text at the source and parsing it
back at the target, but the binary format is only portable where the two databases agree on the type
exactly: the same type with the same modifier (varchar(10) is not text), and a type whose binary form
does not name database-local object ids. Built-in types (and arrays of them) have the same ids in every
PostgreSQL; an enum travels as its label. An array of an enum, a domain, a composite or an extension's
type embeds or depends on ids that differ between databases, so a table holding one goes as text,
which also converts between compatible types (int into bigint).
"""

import psycopg

# Types defined by PostgreSQL's own catalog (pg_type.dat) have ids below this in every database;
# initdb and CREATE TYPE assign ids from here up.
FIRST_DATABASE_LOCAL_OID = 10000

_COLUMN_TYPES = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.atttypid < %s OR t.typtype = 'e'
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped
"""


def binary_copy_fits(
    source: psycopg.Connection, target: psycopg.Connection, table: str, columns: list[str]
) -> bool:
    """True when every copied column has the same, portable type in source and target."""
    source_types, target_types = (_portable_types(conn, table) for conn in (source, target))
    return all(
        column in source_types and source_types[column] == target_types.get(column) for column in columns
    )


def _portable_types(conn: psycopg.Connection, table: str) -> dict[str, str]:
    """The table's columns whose binary form is portable, with their full type (modifier included)."""
    rows = conn.execute(_COLUMN_TYPES, (FIRST_DATABASE_LOCAL_OID, f"public.{table}")).fetchall()
    return {name: type_name for name, type_name, portable in rows if portable}
