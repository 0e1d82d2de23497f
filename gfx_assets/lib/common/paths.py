"""Where the project's files are, found by a marker instead of a count of parent folders."""

from pathlib import Path


def _project_root() -> Path:
    """The folder holding pyproject.toml and migrations/ above this package (a checkout or an image)."""
    here = Path(__file__).resolve()
    for folder in here.parents:
        if (folder / "pyproject.toml").is_file() and (folder / "migrations").is_dir():
            return folder
    raise RuntimeError(f"no project root (pyproject.toml beside migrations/) above {here}")


PROJECT_ROOT = _project_root()
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
SHARED_FIXTURES = PROJECT_ROOT.parent / "shared" / "fixtures" / "pokergfx"
