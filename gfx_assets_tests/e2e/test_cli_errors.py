"""Failures of the `gfx-assets` commands, run as a user would: bad settings, missing folders, a bad
registry and unreachable databases each give one line on stderr that names the setting, exit code 2
for configuration and 1 for run-time failures, no traceback and never the password."""

from pathlib import Path

import pytest

from gfx_assets.cli.errors import describe
from gfx_assets.lib.common.postgres import as_sqlalchemy_psycopg2
from gfx_assets_tests.e2e.devserver import free_port, gfx
from gfx_assets_tests.support import write_registry

PASSWORD = "s3cr3t-PW"


def _unreachable_url() -> str:
    return f"postgresql://gfx:{PASSWORD}@127.0.0.1:{free_port()}/gfx"  # nothing listens on a free port


def _assert_one_line(result, exit_code: int, *expected: str) -> str:
    assert result.returncode == exit_code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gfx-assets: ")
    for text in expected:
        assert text in lines[0]
    assert PASSWORD not in result.stderr + result.stdout
    return lines[0]


@pytest.fixture
def nas(tmp_path: Path, table_gg: Path) -> dict[str, str]:
    registry = write_registry(tmp_path / "registry.json", {"PC01": table_gg.name})
    return {
        "GFX_HOME": str(tmp_path / "home"),
        "GFX_NAS_ROOT": str(table_gg.parent),
        "GFX_PC_REGISTRY": str(registry),
    }


def test_a_missing_nas_root_is_a_configuration_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-nas"
    env = {
        "GFX_HOME": str(tmp_path / "home"),
        "GFX_NAS_ROOT": str(missing),
        "GFX_DATABASE_URL": _unreachable_url(),
    }
    for command in (["sync"], ["dev"]):
        result = gfx(command, env)
        _assert_one_line(result, 2, f"GFX_NAS_ROOT: folder {missing} does not exist")


def test_an_unreadable_registry_is_a_configuration_error(nas: dict[str, str], tmp_path: Path) -> None:
    Path(nas["GFX_PC_REGISTRY"]).write_text("{not json")
    result = gfx(["sync"], {**nas, "GFX_DATABASE_URL": _unreachable_url()})
    _assert_one_line(result, 2, "GFX_PC_REGISTRY: cannot read PC registry", nas["GFX_PC_REGISTRY"])


@pytest.mark.parametrize("command", [["migrate"], ["sync"], ["dev"]])
def test_an_unreachable_database_is_a_runtime_failure_naming_the_variable(
    command: list[str], nas: dict[str, str]
) -> None:
    url = _unreachable_url()
    result = gfx(command, {**nas, "GFX_DATABASE_URL": url})
    masked = url.replace(PASSWORD, "***")
    _assert_one_line(
        result, 1, f"cannot reach the database of GFX_DATABASE_URL ({masked}): connection refused"
    )


def test_an_unreachable_dagster_storage_is_named(nas: dict[str, str], database_url: str) -> None:
    storage = as_sqlalchemy_psycopg2(_unreachable_url())
    result = gfx(["sync"], {**nas, "GFX_DATABASE_URL": database_url, "GFX_DAGSTER_STORAGE_URL": storage})
    _assert_one_line(result, 1, "cannot reach the database of GFX_DAGSTER_STORAGE_URL", "connection refused")


@pytest.mark.parametrize("command", [["migrate"], ["sync"], ["dev"], ["db", "status"]])
def test_a_database_url_of_another_scheme_is_refused_without_its_password(
    command: list[str], tmp_path: Path
) -> None:
    env = {"GFX_HOME": str(tmp_path / "home"), "GFX_DATABASE_URL": f"mysql://user:{PASSWORD}@host/db"}
    line = _assert_one_line(gfx(command, env), 2, "GFX_DATABASE_URL: must be a postgresql:// URL")
    assert "mysql://user:***@host/db" in line


def test_a_bad_number_is_a_configuration_error(tmp_path: Path) -> None:
    result = gfx(["migrate"], {"GFX_HOME": str(tmp_path / "home"), "GFX_BATCH_SIZE": "many"})
    _assert_one_line(result, 2, "GFX_BATCH_SIZE")


@pytest.mark.parametrize(
    "url",
    [
        f"mysql://user:{PASSWORD}@host/db",
        f"redis://:{PASSWORD}@cache:6379/0",
        f"https://svc:{PASSWORD}@api.example.com/v1",
        f"postgresql://gfx:p@ss/{PASSWORD}@db/gfx",  # a password holding '@' and '/'
        f"https://hooks.example.com/x?token={PASSWORD}",
    ],
)
def test_an_unexpected_error_is_one_masked_line(url: str) -> None:
    exit_code, line = describe(RuntimeError(f"could not talk to {url}\nsecond line"))
    assert exit_code == 1
    assert "\n" not in line and PASSWORD not in line
    assert line.startswith("unexpected error: RuntimeError: could not talk to ")
