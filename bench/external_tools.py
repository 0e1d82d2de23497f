"""Sling and dlt as reference tools for the benchmarks, each in its own venv (issues 10 and 11).

    .venv/bin/python bench/external_tools.py --smoke

Neither tool is a dependency of the project: `ensure_tool_venv` installs each pinned into
`.gfx/bench/venvs/<name>` (reused while its versions match) and every load runs as a child process of
that venv, measured from outside: wall time (start-up included) and the child's peak RSS (wait4).
Database URLs reach the children through the environment, never their command line.

Workloads, each returning a `ToolRun` (import this module after a `sys.path` insert of bench/):
- `sling_copy_tables` / `dlt_copy_tables(source_url, target_url, tables)`: WSOP+ tables PostgreSQL ->
  PostgreSQL, merged on `id`, incremental on the table's cursor column (first run = full load);
- `sling_load_json_tree` / `dlt_load_json_tree(root, pg_url, table)`: every `*.json` file under `root`
  as one row (its path and the whole document as jsonb), merged on the path. `root` must hold only the
  export files: Sling 1.4.11 reads every file of the folder (its globs did not work on local paths).
Each tool writes into its own schema (`sling`, `dlt_*`) and creates its tables itself.
"""

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gfx_assets.lib.common.redaction import redact  # noqa: E402

BENCH_HOME = REPO / ".gfx" / "bench"
VENVS = BENCH_HOME / "venvs"
RUNS = BENCH_HOME / "tool_runs"
DLT_JOB = Path(__file__).resolve().with_name("external_dlt_job.py")
# The `sling` package of PyPI is a wrapper that downloads its binary from GitHub at import time; the
# platform package of the same release ships the binary inside the wheel.
SLING_PACKAGE = "sling-linux-arm64" if platform.machine() == "aarch64" else "sling-linux-amd64"
SLING_REQUIREMENTS = (f"{SLING_PACKAGE}==1.4.11",)
DLT_REQUIREMENTS = ("dlt[postgres,sql-database]==1.31.0", "pyarrow==26.0.1")
WSOP_CURSORS = {"wsop_events": "updated_at", "wsop_players": "updated_at", "wsop_chip_counts": "created_at"}
QUIET = {"SLING_DISABLE_TELEMETRY": "true", "RUNTIME__DLTHUB_TELEMETRY": "false"}


@dataclass(frozen=True)
class ToolRun:
    """One load by an external tool: wall time of its process and that process's peak RSS."""

    tool: str
    seconds: float
    peak_rss_mb: float
    startup_seconds: float | None = None  # dlt: its own import, measured inside the child


def ensure_tool_venv(name: str, requirements: tuple[str, ...]) -> Path:
    """`.gfx/bench/venvs/<name>` holding exactly these pinned requirements (`pkg[extras]==version`)."""
    venv = VENVS / name
    if _installed(venv, requirements) != _pins(requirements):
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, *requirements], check=True)
        if (found := _installed(venv, requirements)) != _pins(requirements):
            raise RuntimeError(f"{name} venv holds {found}, not {_pins(requirements)}")
    return venv


def _pins(requirements: tuple[str, ...]) -> dict[str, str]:
    return {re.sub(r"\[.*\]", "", r.split("==")[0]): r.split("==")[1] for r in requirements}


def _installed(venv: Path, requirements: tuple[str, ...]) -> dict[str, str | None]:
    if not (venv / "bin" / "python").exists():
        return {}
    script = (
        "import json, sys, importlib.metadata as m\n"
        "def v(n):\n    try: return m.version(n)\n    except m.PackageNotFoundError: return None\n"
        "print(json.dumps({n: v(n) for n in sys.argv[1:]}))"
    )
    found = subprocess.run(
        [str(venv / "bin" / "python"), "-c", script, *_pins(requirements)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(found.stdout)


@cache
def sling_binary() -> Path:
    venv = ensure_tool_venv("sling", SLING_REQUIREMENTS)
    package = SLING_PACKAGE.replace("-", "_")
    [binary] = venv.glob(f"lib/python*/site-packages/{package}/bin/{SLING_PACKAGE}")
    return binary


@cache
def dlt_python() -> Path:
    return ensure_tool_venv("dlt", DLT_REQUIREMENTS) / "bin" / "python"


def tool_versions() -> dict[str, str]:
    """The versions actually installed, as the tools report them."""
    sling = subprocess.run([sling_binary(), "--version"], capture_output=True, text=True, check=True)
    dlt = _installed(VENVS / "dlt", DLT_REQUIREMENTS)
    return {"sling": sling.stdout.split()[-1], "dlt": str(dlt["dlt"]), "pyarrow": str(dlt["pyarrow"])}


def _measured(tool: str, argv: list, env: dict[str, str], stdin: bytes = b"") -> tuple[ToolRun, str]:
    """Run argv to completion with its output in a log file; the ToolRun and the log's text."""
    RUNS.mkdir(parents=True, exist_ok=True)
    log = RUNS / f"{tool}.log"
    with log.open("wb") as out:
        started = time.perf_counter()
        child = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=RUNS
        )
        child.stdin.write(stdin)
        child.stdin.close()
        _, status, usage = os.wait4(child.pid, 0)  # rusage of this child alone, unlike getrusage
        seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text(errors="replace")
    if child.returncode:
        raise RuntimeError(f"{tool} failed (exit {child.returncode}), log {log}:\n{redact(text[-3000:])}")
    return ToolRun(tool, seconds, usage.ru_maxrss / 1024), text


def _environment(**urls: str) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "HOME": str(RUNS), **QUIET, **urls}


def sling_copy_tables(
    source_url: str, target_url: str, tables: tuple[str, ...] = ("wsop_chip_counts",), schema: str = "sling"
) -> ToolRun:
    """Sling `mode: incremental` with `primary_key: [id]` and `update_key` the table's cursor: a first
    run (no target table) is a full load, later ones read rows whose cursor is above the target's
    maximum and merge them on `id`. Full-refresh would drop and recreate the table, which no sync does."""
    streams = {
        f"public.{table}": {
            "object": f"{schema}.{table}",
            "primary_key": ["id"],
            "update_key": WSOP_CURSORS[table],
        }
        for table in tables
    }
    replication = {"source": "SOURCE_DB", "target": "TARGET_DB", "defaults": {"mode": "incremental"}}
    return _run_sling({**replication, "streams": streams}, SOURCE_DB=source_url, TARGET_DB=target_url)


def sling_load_json_tree(root: Path, pg_url: str, table: str, schema: str = "sling") -> ToolRun:
    """Every file under `root` as one row of `<schema>.<table>`: `data` (jsonb, the document; `flatten:
    false` keeps nested arrays in it) and `_sling_stream_url` (file:// URL), merged on that URL."""
    stream = {
        "object": f"{schema}.{table}",
        "mode": "incremental",
        "primary_key": ["_sling_stream_url"],
        "source_options": {"format": "json", "flatten": False},
    }
    replication = {"source": "LOCAL", "target": "TARGET_DB", "streams": {f"file://{root.resolve()}/": stream}}
    return _run_sling(replication, TARGET_DB=pg_url, SLING_STREAM_URL_COLUMN="true")


def _run_sling(replication: dict, **env: str) -> ToolRun:
    RUNS.mkdir(parents=True, exist_ok=True)
    config = RUNS / "sling_replication.json"  # Sling reads YAML, and JSON is YAML
    config.write_text(json.dumps(replication))
    environment = _environment(SLING_HOME_DIR=str(RUNS / "sling_home"), SLING_LOADED_AT_COLUMN="false", **env)
    return _measured("sling", [sling_binary(), "run", "-r", config], environment)[0]


def dlt_copy_tables(
    source_url: str,
    target_url: str,
    tables: tuple[str, ...] = ("wsop_chip_counts",),
    dataset: str = "dlt_wsop",
    backend: str = "sqlalchemy",
) -> ToolRun:
    """dlt `sql_table` per table, `write_disposition="merge"`, `primary_key="id"`, incremental on the
    table's cursor (first run = full load). `backend` is dlt's row reader: "sqlalchemy" (its default)
    or "pyarrow"."""
    job = {"workload": "tables", "tables": [{"name": t, "cursor": WSOP_CURSORS[t]} for t in tables]}
    job |= {"source_env": "SOURCE_DB", "backend": backend}
    source = re.sub(r"^postgres(ql)?://", "postgresql+psycopg2://", source_url)  # SQLAlchemy 2.1: psycopg
    return _run_dlt(job, target_url, dataset, SOURCE_DB=source)


def dlt_load_json_tree(
    root: Path, pg_url: str, table: str, dataset: str = "dlt_gfx", write_disposition: str = "merge"
) -> ToolRun:
    """A dlt resource yielding {"file_name": path under root, "raw_json": parsed document} per `*.json`
    file, `raw_json` hinted `json` (jsonb), merged on `file_name` (or `write_disposition="append"`)."""
    job = {"workload": "json_tree", "root": str(root.resolve()), "table": table}
    return _run_dlt(job | {"write_disposition": write_disposition}, pg_url, dataset)


def _run_dlt(job: dict, target_url: str, dataset: str, **env: str) -> ToolRun:
    pipelines = RUNS / "dlt_pipelines" / f"{urlsplit(target_url).path.strip('/')}-{dataset}"
    if not schema_exists(target_url, dataset):  # local state of a dropped target would mislead dlt
        shutil.rmtree(pipelines, ignore_errors=True)
    job |= {"target_env": "TARGET_DB", "dataset": dataset, "pipelines_dir": str(pipelines)}
    environment = _environment(TARGET_DB=dlt_destination_url(target_url), **env)
    run, log = _measured("dlt", [dlt_python(), DLT_JOB], environment, json.dumps(job).encode())
    result = json.loads(log.strip().splitlines()[-1])
    return ToolRun(run.tool, run.seconds, run.peak_rss_mb, result["import_seconds"])


def dlt_destination_url(url: str) -> str:
    """dlt's PostgresCredentials require a host and a password: a socket directory given as `?host=`
    moves into the URL's host (percent-encoded, as libpq reads it), and a server that trusts local
    connections gets a placeholder password it never asks for."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host = query.pop("host", [parts.hostname or ""])[0]
    user = parts.username or "postgres"
    password = parts.password or "unused"
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{quote(host, safe='')}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, doseq=True)))


def schema_exists(url: str, schema: str) -> bool:
    with psycopg.connect(url) as conn:
        found = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    return found is not None


def count_rows(url: str, schema: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        [(count,)] = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table)))
    return count


def column_types(url: str, schema: str, table: str) -> dict[str, str]:
    """Column -> type as information_schema names it (user-defined types by their own name)."""
    query = """
        SELECT column_name,
               CASE WHEN data_type IN ('USER-DEFINED', 'ARRAY') THEN udt_name ELSE data_type END
               || CASE WHEN data_type = 'numeric' AND numeric_precision IS NOT NULL
                       THEN format('(%%s,%%s)', numeric_precision, numeric_scale) ELSE '' END
        FROM information_schema.columns WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position
    """
    with psycopg.connect(url) as conn:
        return dict(conn.execute(query, (schema, table)).fetchall())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="install both venvs, load tiny data, check rows")
    if parser.parse_args().smoke:
        from external_tools_smoke import smoke

        smoke()
    else:
        parser.print_help()
