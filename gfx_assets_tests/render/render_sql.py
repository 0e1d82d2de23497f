"""render_layer.sql split into its statements, production's DDL of the project-owned tables taken from the
commented block at its end, and both applied one statement at a time.

The file marks each statement with a line `-- @@ <kind> <name>` (`-- @@ constraint x on t` names the
constraint). Its header sets `check_function_bodies = false`, so a function whose body names something
missing still creates; it fails when called.
"""

from dataclasses import dataclass
from pathlib import Path

import psycopg

from gfx_assets.lib.common.paths import PROJECT_ROOT

RENDER_LAYER = PROJECT_ROOT.parent / "shared" / "downstream" / "render_layer.sql"
MARKER = "-- @@ "
END_OF_STATEMENTS = "-- ===="
PRODUCTION_BLOCK = "-- ==== Production definitions of objects the PROJECT already has"
PRODUCTION_OBJECT = "-- project-owned "
SESSION_SETTINGS = ("SET check_function_bodies = false", "SET client_min_messages = warning")


@dataclass(frozen=True)
class Statement:
    kind: str  # type, table, function, view, constraint, index, trigger, comment
    name: str
    sql: str
    target: str | None = None  # the table of a constraint, index or trigger (`on <table>`)


@dataclass(frozen=True)
class Outcome:
    statement: Statement
    sqlstate: str | None = None  # None: it applied
    error: str | None = None

    @property
    def applied(self) -> bool:
        return self.error is None


def render_statements(text: str) -> list[Statement]:
    """The marked statements in file order; the closing comment blocks are not statements."""
    statements: list[Statement] = []
    marker: list[str] = []
    body: list[str] = []
    for line in [*text.splitlines(), END_OF_STATEMENTS]:
        if line.startswith((MARKER, END_OF_STATEMENTS)) and marker:
            kind, name, *rest = marker
            target = rest[1] if rest[:1] == ["on"] else None
            statements.append(Statement(kind, name, "\n".join(body).strip(), target))
            marker = []
        if line.startswith(END_OF_STATEMENTS):
            break
        if line.startswith(MARKER):
            marker, body = line[len(MARKER) :].split(), []
        elif marker:
            body.append(line)
    return statements


def production_ddl(text: str) -> list[Statement]:
    """Production's own CREATE TYPE / CREATE TABLE of the objects the project owns (gfx_*, wsop_*,
    sync_status), uncommented from the block at the end of the file."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(PRODUCTION_BLOCK))
    statements: list[Statement] = []
    for line in lines[start + 1 :]:
        if line.startswith(PRODUCTION_OBJECT):
            kind, name = line[len(PRODUCTION_OBJECT) :].rstrip(":").split()
            statements.append(Statement(kind, name, ""))
        elif line.startswith("--   ") and statements:
            last = statements[-1]
            statements[-1] = Statement(last.kind, last.name, f"{last.sql}\n{line[5:]}".strip())
    return statements


def apply(database_url: str, statements: list[Statement]) -> list[Outcome]:
    """Every statement in its own savepoint, with the file's session settings, in one transaction: one
    that fails is rolled back alone and recorded with its SQLSTATE and message."""
    outcomes: list[Outcome] = []
    with psycopg.connect(database_url) as conn, conn.transaction():
        for setting in SESSION_SETTINGS:
            conn.execute(setting)
        for statement in statements:
            try:
                with conn.transaction():
                    conn.execute(statement.sql)
            except psycopg.Error as error:
                outcomes.append(Outcome(statement, error.sqlstate, str(error).splitlines()[0]))
            else:
                outcomes.append(Outcome(statement))
    return outcomes


def read_render_layer(path: Path = RENDER_LAYER) -> str:
    return path.read_text(encoding="utf-8")
