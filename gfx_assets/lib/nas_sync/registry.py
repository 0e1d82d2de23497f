"""The PC registry on the NAS (`config/pc_registry.json`): which GFX PCs exist and where they write."""

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

REGISTRY_PATH = Path("config") / "pc_registry.json"


class RegistryLookupError(RuntimeError):
    """Where a PC writes cannot be told; the message says why."""


class RegistryUnreadable(RegistryLookupError):
    """The registry file is missing or does not parse; the last good registry stays in force."""


class PcNotEnabled(RegistryLookupError):
    """The PC is not an enabled entry of the registry."""


class PcEntry(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,50}$")
    name: str = ""
    description: str = ""
    watch_path: str
    enabled: bool = True

    @field_validator("watch_path")
    @classmethod
    def _relative_without_parent_steps(cls, value: str) -> str:
        path = PurePosixPath(value.replace("\\", "/"))
        if not value or path.is_absolute() or ".." in path.parts or ":" in value:
            raise ValueError("must be a relative path inside the NAS root, without '..'")
        return path.as_posix()


@dataclass(frozen=True)
class Registry:
    pcs: tuple[PcEntry, ...]
    problems: tuple[str, ...] = field(default=())

    def enabled(self) -> dict[str, PcEntry]:
        return {pc.id: pc for pc in self.pcs if pc.enabled}

    def watch_path(self, pc_id: str) -> str:
        """The NAS folder of an enabled PC; `PcNotEnabled` otherwise."""
        pc = self.enabled().get(pc_id)
        if pc is None:
            raise PcNotEnabled(f"{pc_id} is not an enabled PC in the NAS registry")
        return pc.watch_path


def load_registry(nas_root: Path, path: Path | None = None) -> Registry:
    """Parse the registry (default `<nas_root>/config/pc_registry.json`); bad entries are skipped
    with a problem each, an unreadable file raises."""
    path = path or nas_root / REGISTRY_PATH
    try:
        document = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RegistryUnreadable(f"cannot read PC registry {path}: {error}") from None
    entries = document.get("pcs") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise RegistryUnreadable(f"PC registry {path} must be an object with a list 'pcs'")
    return _validate_entries(entries, nas_root)


def _validate_entries(entries: list, nas_root: Path) -> Registry:
    pcs: dict[str, PcEntry] = {}
    problems: list[str] = []
    for position, entry in enumerate(entries):
        try:
            pc = PcEntry.model_validate(entry)
            _check_inside_root(pc, nas_root)
        except (ValidationError, ValueError) as error:
            problems.append(f"registry entry #{position} skipped: {_first_error(error)}")
            continue
        if pc.id in pcs:
            problems.append(f"registry entry #{position} skipped: duplicate id {pc.id!r}")
            continue
        pcs[pc.id] = pc
    return Registry(tuple(pcs.values()), tuple(problems))


def _check_inside_root(pc: PcEntry, nas_root: Path) -> None:
    root = nas_root.resolve()
    target = (root / pc.watch_path).resolve()
    if target != root and root not in target.parents:
        raise ValueError(f"watch_path {pc.watch_path!r} of {pc.id} resolves outside the NAS root")


def _first_error(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "entry"
        return f"{where}: {first['msg']}"
    return str(error)
