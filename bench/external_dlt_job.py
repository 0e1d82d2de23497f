"""One dlt load, run by bench/external_tools.py inside dlt's own venv (never the project's).

Reads a JSON job from standard input, database URLs from the environment (never from argv, where
`ps` would show them), runs one `dlt.pipeline(...).run(...)` and prints one JSON line of results:

    {"workload": "tables", "tables": [...], "source_env": "...", "target_env": "...", "dataset": "...",
     "pipelines_dir": "...", "backend": "sqlalchemy"}
    {"workload": "json_tree", "root": "...", "table": "...", "target_env": "...", "dataset": "...",
     "pipelines_dir": "...", "write_disposition": "merge"}

`tables`: each source table through `sql_table`, merged on `id` and incremental on its cursor column.
`json_tree`: every `*.json` file under `root` as one row, its relative path and the whole document in
one `json` column (jsonb in PostgreSQL).
"""

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()

import dlt  # noqa: E402  (the import is timed: it is part of what running dlt costs)
from dlt.sources.sql_database import sql_table  # noqa: E402

IMPORTED = time.perf_counter()


def table_resources(job: dict[str, Any]) -> list[Any]:
    return [
        sql_table(
            credentials=os.environ[job["source_env"]],
            table=spec["name"],
            incremental=dlt.sources.incremental(spec["cursor"]),
            primary_key="id",
            write_disposition="merge",
            backend=job["backend"],
        )
        for spec in job["tables"]
    ]


def json_tree_resource(job: dict[str, Any]) -> Any:
    root = Path(job["root"])

    @dlt.resource(
        name=job["table"],
        write_disposition=job["write_disposition"],
        primary_key="file_name",
        columns={"file_name": {"data_type": "text"}, "raw_json": {"data_type": "json"}},
    )
    def files() -> Iterator[dict[str, Any]]:
        for path in sorted(root.rglob("*.json")):
            yield {"file_name": path.relative_to(root).as_posix(), "raw_json": json.loads(path.read_bytes())}

    return files


def main() -> None:
    job = json.load(sys.stdin)
    pipeline = dlt.pipeline(
        pipeline_name=job["dataset"],
        pipelines_dir=job["pipelines_dir"],
        destination=dlt.destinations.postgres(credentials=os.environ[job["target_env"]]),
        dataset_name=job["dataset"],
    )
    data = table_resources(job) if job["workload"] == "tables" else json_tree_resource(job)
    loaded = pipeline.run(data)
    loaded.raise_on_failed_jobs()
    print(
        json.dumps(
            {
                "dlt_version": dlt.__version__,
                "import_seconds": IMPORTED - STARTED,
                "run_seconds": time.perf_counter() - IMPORTED,
            }
        )
    )


if __name__ == "__main__":
    main()
