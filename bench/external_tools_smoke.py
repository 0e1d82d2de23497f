"""Smoke run of bench/external_tools.py: both tools, both workloads, tiny data, counts checked.

    .venv/bin/python bench/external_tools.py --smoke

On the bench's embedded PostgreSQL (.gfx/bench, stopped afterwards if started here): a WSOP+ source of
5 events, 200 players and 2,000 chip counts is copied by Sling and by dlt into their own fresh
databases (full load), then 500 new chip counts (incremental); a synthetic PokerGFX tree is loaded
twice (the second load must merge, not duplicate). Fails on any count that does not match. Prints
what each tool made of the source's column types, and how many documents kept their 64-bit `ID`.
"""

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import psycopg
from external_tools import (
    BENCH_HOME,
    REPO,
    WSOP_CURSORS,
    ToolRun,
    column_types,
    count_rows,
    dlt_copy_tables,
    dlt_load_json_tree,
    sling_copy_tables,
    sling_load_json_tree,
    tool_versions,
)

sys.path.insert(0, str(REPO))
from wsop_bench import fresh_database  # noqa: E402

from gfx_assets.lib.common.embedded_lease import embedded_server_lease  # noqa: E402
from gfx_assets.lib.pokergfx.synthetic import seed_nas  # noqa: E402
from gfx_assets.lib.wsop.sample import add_chip_counts, create_source_schema, seed_source  # noqa: E402

TABLES = tuple(WSOP_CURSORS)
COPIERS: dict[str, tuple[str, Callable[..., ToolRun]]] = {
    "sling": ("sling", sling_copy_tables),
    "dlt": ("dlt_wsop", dlt_copy_tables),
}
# Where each tool keeps the file's path and its document, and how the GameID of the name is found there.
FILE_ROWS = {
    "sling": ("sling", "data", "_sling_stream_url"),
    "dlt": ("dlt_gfx", "raw_json", "file_name"),
}


def expect(what: str, found: int, wanted: int) -> None:
    if found != wanted:
        raise SystemExit(f"FAILED: {what}: {found} rows, expected {wanted}")
    print(f"  ok {what}: {found} rows")


def show(label: str, run: ToolRun) -> None:
    startup = f", of which import {run.startup_seconds:.2f} s" if run.startup_seconds is not None else ""
    print(f"{label}: {run.seconds:.2f} s{startup}, peak RSS {run.peak_rss_mb:.0f} MiB")


def copy_wsop(server: str) -> None:
    source = fresh_database(server, "ext_smoke_source")
    with psycopg.connect(source) as conn:
        create_source_schema(conn)
        seed_source(conn, events=5, players=200, chip_counts=2000)
    targets = {tool: fresh_database(server, f"ext_smoke_{tool}") for tool in COPIERS}
    for tool, (schema, copy) in COPIERS.items():
        show(f"{tool} full load of {', '.join(TABLES)}", copy(source, targets[tool], TABLES))
        for table in TABLES:
            wanted = count_rows(source, "public", table)
            expect(f"{tool} {table}", count_rows(targets[tool], schema, table), wanted)
    with psycopg.connect(source) as conn:
        add_chip_counts(conn, 500)
    for tool, (schema, copy) in COPIERS.items():
        show(f"{tool} incremental, 500 new chip counts", copy(source, targets[tool], ("wsop_chip_counts",)))
        expect(f"{tool} wsop_chip_counts", count_rows(targets[tool], schema, "wsop_chip_counts"), 2500)
    print("column types the tools changed (source -> sling / dlt: columns):")
    changes: dict[tuple[str, str | None, str | None], list[str]] = {}
    for table in TABLES:
        theirs = {tool: column_types(targets[tool], schema, table) for tool, (schema, _) in COPIERS.items()}
        for column, kind in column_types(source, "public", table).items():
            sling, dlt = theirs["sling"].get(column), theirs["dlt"].get(column)
            if {kind} != {sling, dlt}:
                changes.setdefault((kind, sling, dlt), []).append(f"{table}.{column}")
    for (kind, sling, dlt), columns in changes.items():
        print(f"  {kind} -> {sling} / {dlt}: {', '.join(columns)}")


def load_files(server: str, root: Path) -> None:
    files = seed_nas(root, ["PC01", "PC02"], sessions_per_pc=3, hands=(1, 40))
    (root / "config" / "pc_registry.json").unlink()  # only exports under root: Sling reads every file
    (root / "config").rmdir()
    size = sum(path.stat().st_size for path in files) / 2**20
    print(f"corpus: {len(files)} synthetic PokerGFX files, {size:.1f} MiB")
    for tool, load in (("sling", sling_load_json_tree), ("dlt", dlt_load_json_tree)):
        target = fresh_database(server, f"ext_smoke_{tool}_files")
        schema, document, name = FILE_ROWS[tool]
        for attempt in ("first", "second"):
            show(f"{tool} {attempt} load of the tree", load(root, target, "gfx_files"))
            landed = count_rows(target, schema, "gfx_files")
            expect(f"{tool} gfx_files after the {attempt} load", landed, len(files))
        with psycopg.connect(target) as conn:
            [(exact,)] = conn.execute(
                f"SELECT count(*) FROM {schema}.gfx_files "
                f"WHERE {document}->>'ID' = substring({name} FROM 'GameID=([0-9]+)')"
            )
        print(f"  {tool}: {exact} of {len(files)} documents keep the exact 64-bit ID of their file")


def smoke() -> None:
    print("versions:", ", ".join(f"{tool} {version}" for tool, version in tool_versions().items()))
    with embedded_server_lease(BENCH_HOME) as server, tempfile.TemporaryDirectory() as tmp:
        copy_wsop(server)
        load_files(server, Path(tmp) / "nas")
    print("smoke passed")
