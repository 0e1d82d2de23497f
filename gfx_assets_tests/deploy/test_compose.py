"""The Docker deployment (docker-compose.yml, Dockerfile, docker/, .env.example) without a Docker engine:
every service, command, mount and variable refers to something that exists; the instance
(docker/dagster.yaml) and workspace (docker/workspace.yaml) load with Dagster's own loaders; every GFX_
setting is documented in .env.example; the NAS is mounted read-only; run files live on a shared volume."""

import importlib
import re
import shlex
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from dagster._config import process_config, resolve_to_config_type
from dagster._core.instance.config import dagster_instance_config
from dagster._core.remote_origin import GrpcServerCodeLocationOrigin
from dagster._core.workspace.autodiscovery import loadable_targets_from_python_module
from dagster._core.workspace.load import location_origins_from_yaml_paths
from dagster._utils import convert_dagster_submodule_name
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy.engine import make_url

from gfx_assets.lib.common.paths import PROJECT_ROOT
from gfx_assets.settings import GfxSettings

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
DEPLOY_DIR = PROJECT_ROOT / "docker"
CODE_SERVER = "user_code"
DAGSTER_SERVICES = ("user_code", "webserver", "daemon")
GRPC_COMMAND = "gfx-assets code-server -h 0.0.0.0 -p 4000 -m gfx_assets.definitions"
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}
VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")
ENV_ENTRY = re.compile(r"^#?\s*(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$", re.MULTILINE)
MOUNT = re.compile(r"(?P<source>\$\{[^}]*\}|[^:]+):(?P<target>[^:]+)(?::(?P<mode>ro|rw))?")
SETTING_NAMES = {f"GFX_{name.upper()}" for name in GfxSettings.model_fields}
# Sections of docker/dagster.yaml that must equal the top-level dagster.yaml's (run_monitoring: see below).
SHARED_WITH_THE_LOCAL_INSTANCE = (
    "storage",
    "run_coordinator",
    "concurrency",
    "run_retries",
    "retention",
    "telemetry",
    "python_logs",
    "nux",
)


def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _services() -> dict[str, dict[str, Any]]:
    return _compose()["services"]


def _env_example_entries() -> dict[str, str]:
    """Every KEY=value line of .env.example, set or commented out (a commented line shows the default)."""
    return {entry["name"]: entry["value"] for entry in ENV_ENTRY.finditer(ENV_EXAMPLE.read_text())}


def _interpolate(text: str, values: dict[str, str]) -> str:
    """Compose's interpolation with `values` as the .env file: a default applies when a name is unset."""

    def substitute(match: re.Match[str]) -> str:
        if match["name"] in values:
            return values[match["name"]]
        if match["op"] and match["op"].endswith("-"):
            return match["arg"]
        raise AssertionError(f"${{{match['name']}}} has no value and no default")

    return VARIABLE.sub(substitute, text)


def _env_file_values() -> dict[str, str]:
    """The .env an operator writes from .env.example: its set lines, the required values filled in."""
    set_lines = {m["name"]: m["value"] for m in ENV_ENTRY.finditer(ENV_EXAMPLE.read_text()) if m[0][0] != "#"}
    return set_lines | {"POSTGRES_PASSWORD": "p@ss/w:rd#%", "NAS_PATH": "/volume1/gfx"}


def _environment(service: dict[str, Any]) -> dict[str, str]:
    """The service's `environment:` with ${...} resolved as compose would against a filled-in .env."""
    env_file = _env_file_values()
    return {key: _interpolate(str(value), env_file) for key, value in service.get("environment", {}).items()}


def _command(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def _mounts(service: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(source, target, mode) of each short-syntax volume entry; a source may be ${VAR:?message}."""
    mounts = []
    for entry in service.get("volumes", []):
        match = MOUNT.fullmatch(entry)
        assert match, f"unreadable volume entry {entry!r}"
        mounts.append((match["source"], match["target"], match["mode"] or "rw"))
    return mounts


def _dockerfile_copies() -> list[tuple[list[str], str]]:
    """(sources, destination) of each COPY in the Dockerfile, destinations made absolute via WORKDIR."""
    workdir, copies = PurePosixPath("/"), []
    for line in (PROJECT_ROOT / "Dockerfile").read_text().splitlines():
        instruction, _, rest = line.strip().partition(" ")
        if instruction == "WORKDIR":
            workdir = workdir / rest.strip()
        elif instruction == "COPY":
            *sources, destination = rest.split()
            absolute = str(workdir / destination) + ("/" if destination.endswith("/") else "")
            copies.append((sources, absolute))
    return copies


def _repo_file_in_image(image_path: str) -> Path:
    """The repository file a COPY of the Dockerfile puts at `image_path`."""
    for sources, destination in _dockerfile_copies():
        for source in sources:
            if image_path in (destination, destination + Path(source).name):
                return PROJECT_ROOT / source
    raise AssertionError(f"the Dockerfile puts nothing at {image_path}")


def _dockerfile_env(name: str) -> str:
    text = (PROJECT_ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    match = re.search(rf"^ENV\s.*\b{name}=(\S+)", text, re.MULTILINE)
    assert match, f"the Dockerfile sets no {name}"
    return match[1]


def _instance_config(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """docker/dagster.yaml as Dagster loads and validates it, with the code server's environment."""
    for name, value in _environment(_services()[CODE_SERVER]).items():
        monkeypatch.setenv(name, value)
    config, _ = dagster_instance_config(str(DEPLOY_DIR), "dagster.yaml")
    return dict(config)


def _processed_config(klass: type, config: dict[str, Any]) -> dict[str, Any]:
    """`config` checked against the class's schema and resolved ({env: ...} read) as Dagster does."""
    result = process_config(resolve_to_config_type(klass.config_type()), config)
    assert result.success, f"{klass.__name__}: {result.errors}"
    return dict(result.value)


def _configurable_class(data: dict[str, Any]) -> type:
    module = convert_dagster_submodule_name(data["module"], "private")  # `dagster.core` is an old alias
    return getattr(importlib.import_module(module), data["class"])


# --- .env.example --------------------------------------------------------------------------------


def test_env_example_lists_every_gfx_setting_and_nothing_else() -> None:
    documented = {name for name in _env_example_entries() if name.startswith("GFX_")}
    assert documented == SETTING_NAMES


def test_every_variable_the_compose_file_reads_is_in_env_example() -> None:
    referenced = {match["name"] for match in VARIABLE.finditer(COMPOSE_FILE.read_text())}
    assert referenced
    assert referenced <= set(_env_example_entries())


def test_required_variables_are_left_empty_so_compose_refuses_to_start_without_them() -> None:
    required = {m["name"] for m in VARIABLE.finditer(COMPOSE_FILE.read_text()) if m["op"] in (":?", "?")}
    assert required == {"POSTGRES_PASSWORD", "NAS_PATH"}
    assert all(_env_example_entries()[name] == "" for name in required)


def test_settings_the_compose_file_sets_are_valid_settings() -> None:
    for name in ("migrate", CODE_SERVER):
        environment = _environment(_services()[name])
        settings = {key.removeprefix("GFX_").lower(): value for key, value in environment.items()}
        gfx = {key: value for key, value in settings.items() if f"GFX_{key.upper()}" in SETTING_NAMES}
        assert {"nas_root", "database_url", "home"} <= set(gfx)
        GfxSettings(**gfx)


def test_the_target_url_carries_no_password_libpq_takes_it_from_pgpassword() -> None:
    environment = _environment(_services()[CODE_SERVER])
    target = conninfo_to_dict(environment["GFX_DATABASE_URL"])
    assert "password" not in target
    assert target["host"] == "postgres" and "postgres" in _services()
    assert environment["PGPASSWORD"] == _env_file_values()["POSTGRES_PASSWORD"]


# --- services ------------------------------------------------------------------------------------


def test_the_deployment_has_postgres_a_code_server_a_webserver_and_a_daemon() -> None:
    services = _services()
    assert {"postgres", CODE_SERVER, "webserver", "daemon"} <= set(services)
    assert " ".join(_command(services[CODE_SERVER])) == GRPC_COMMAND
    assert _command(services["webserver"])[0] == "dagster-webserver"
    assert _command(services["daemon"])[:2] == ["dagster-daemon", "run"]


def test_the_code_server_module_yields_the_project_definitions() -> None:
    module = _command(_services()[CODE_SERVER])[-1]
    targets = loadable_targets_from_python_module(module, working_directory=None)
    assert [target.attribute for target in targets] == ["defs"]


def test_build_context_holds_the_dockerfile_and_everything_it_copies() -> None:
    builds = {str(service["build"]) for service in _services().values() if "build" in service}
    assert builds == {"."}
    assert (PROJECT_ROOT / "Dockerfile").is_file()
    for sources, _ in _dockerfile_copies():
        for source in sources:
            assert (PROJECT_ROOT / source).exists(), f"COPY {source}: missing"


def test_dependencies_name_services_that_can_satisfy_their_condition() -> None:
    services = _services()
    for name, service in services.items():
        for target, rule in service.get("depends_on", {}).items():
            assert target in services, f"{name} depends on unknown {target}"
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target} to be healthy"
            if rule["condition"] == "service_completed_successfully":
                assert services[target].get("restart") == "no", f"{target} is one-shot"


def test_long_running_services_have_healthchecks_and_restart_policies() -> None:
    long_running = {name: s for name, s in _services().items() if s.get("restart") != "no"}
    assert set(DAGSTER_SERVICES) | {"postgres"} <= set(long_running)
    for name, service in long_running.items():
        assert service.get("restart") in {"always", "unless-stopped", "on-failure"}, name
        assert service.get("healthcheck", {}).get("test"), name


def test_the_database_waits_for_migrations_before_the_code_server_starts() -> None:
    depends = _services()[CODE_SERVER]["depends_on"]
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert _command(_services()["migrate"]) == ["gfx-assets", "migrate"]


def test_gfx_containers_get_every_setting_from_the_env_file() -> None:
    for name in ("migrate", CODE_SERVER):
        assert _services()[name]["env_file"] == ".env"


# --- mounts --------------------------------------------------------------------------------------


def test_named_volumes_are_declared_and_bind_mounts_exist() -> None:
    declared = set(_compose().get("volumes", {}))
    for name, service in _services().items():
        for source, target, _ in _mounts(service):
            if source.startswith("./"):
                assert (PROJECT_ROOT / source).exists(), f"{name}: {source} missing"
            elif source.startswith("${"):
                assert VARIABLE.fullmatch(source)["name"] in _env_example_entries(), f"{name}: {source}"
            else:
                assert source in declared, f"{name}: volume {source} not declared"
            assert target.startswith("/"), f"{name}: {target}"


def test_the_nas_is_mounted_read_only_wherever_it_is_mounted() -> None:
    nas_root = _environment(_services()[CODE_SERVER])["GFX_NAS_ROOT"]
    nas_mounts = [
        (name, target, mode)
        for name, service in _services().items()
        for source, target, mode in _mounts(service)
        if source.startswith("${NAS_PATH")
    ]
    assert (CODE_SERVER, nas_root, "ro") in nas_mounts
    assert all(mode == "ro" for _, _, mode in nas_mounts)


def test_compute_logs_are_on_one_volume_shared_by_every_dagster_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = _instance_config(monkeypatch)
    compute_logs = PurePosixPath(config["compute_logs"]["config"]["base_dir"])
    for name in DAGSTER_SERVICES:
        volumes = [(src, PurePosixPath(dst)) for src, dst, _ in _mounts(_services()[name])]
        assert any(compute_logs.is_relative_to(dst) for src, dst in volumes if src == "dagster_storage")


# --- Dagster instance and workspace ----------------------------------------------------------------


def test_the_image_puts_the_deployment_instance_and_workspace_in_dagster_home() -> None:
    home = _dockerfile_env("DAGSTER_HOME")
    assert _repo_file_in_image(f"{home}/dagster.yaml") == DEPLOY_DIR / "dagster.yaml"
    for name in ("webserver", "daemon"):
        command = _command(_services()[name])
        workspace = command[command.index("-w") + 1]
        assert _repo_file_in_image(workspace) == DEPLOY_DIR / "workspace.yaml"
    for name in DAGSTER_SERVICES:
        assert _environment(_services()[name])["DAGSTER_HOME"] == home


def test_the_instance_loads_with_dagster_and_names_valid_classes(monkeypatch: pytest.MonkeyPatch) -> None:
    config = _instance_config(monkeypatch)
    for key in ("run_launcher", "run_coordinator", "local_artifact_storage", "compute_logs"):
        _processed_config(_configurable_class(config[key]), config[key].get("config") or {})


def test_dagster_storage_is_the_compose_postgres_without_a_password_in_its_url() -> None:
    for name in DAGSTER_SERVICES:
        url = make_url(_environment(_services()[name])["GFX_DAGSTER_STORAGE_URL"])
        assert url.password is None  # libpq reads PGPASSWORD: any characters work
        assert url.host in _services() and url.database == "dagster"
        assert "PGPASSWORD" in _environment(_services()[name])
    init_sql = (DEPLOY_DIR / "create-dagster-db.sql").read_text()
    assert "CREATE DATABASE dagster" in init_sql


def test_the_deployment_keeps_the_run_policies_logs_and_ui_settings_of_the_local_instance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deployed = _instance_config(monkeypatch)
    local = yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text())
    for key in SHARED_WITH_THE_LOCAL_INSTANCE:
        assert deployed[key] == local[key], key
    monitoring = dict(deployed["run_monitoring"])
    assert monitoring.pop("max_runtime_seconds") > 0  # frees a PC whose run died with its code server
    assert monitoring == local["run_monitoring"]


def test_the_workspace_points_at_the_code_server_port() -> None:
    (origin,) = location_origins_from_yaml_paths([str(DEPLOY_DIR / "workspace.yaml")])
    assert isinstance(origin, GrpcServerCodeLocationOrigin)
    command = _command(_services()[origin.host])
    assert command[:2] == ["gfx-assets", "code-server"]
    assert int(command[command.index("-p") + 1]) == origin.port
    pyproject = (PROJECT_ROOT / "pyproject.toml").read_text()
    assert f'code_location_name = "{origin.location_name}"' in pyproject
