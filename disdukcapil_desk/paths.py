"""Where the desk keeps its files: per-user folders and the bundled resources (infrastructure)."""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import platformdirs

from disdukcapil_desk import APP_ID, ORG_NAME

_PACKAGE_DIR = Path(__file__).resolve().parent


def resources_root() -> Path:
    """Return the folder that holds the top-level ``resources/`` content.

    Frozen (PyInstaller): ``sys._MEIPASS/resources``. Installed with pip: the copy packaged as
    ``disdukcapil_desk/_resources``. From the source tree: ``<repo>/resources``.
    """
    frozen_base = getattr(sys, "_MEIPASS", None)
    candidates = []
    if frozen_base:
        candidates.append(Path(frozen_base) / "resources")
    candidates += [_PACKAGE_DIR / "_resources", _PACKAGE_DIR.parent / "resources"]
    for candidate in candidates:
        if (candidate / "catalogue").is_dir():
            return candidate
    raise FileNotFoundError(
        "resources not found; looked in " + ", ".join(str(c) for c in candidates)
    )


def resource_path(relative: str) -> Path:
    """Resolve a file below ``resources/``; ``relative`` must be relative and stay inside."""
    posix = PurePosixPath(relative)
    if posix.is_absolute() or ".." in posix.parts:
        raise ValueError(f"resource path must be relative and inside resources/: {relative!r}")
    return resources_root().joinpath(*posix.parts)


@dataclass(frozen=True)
class UserDirs:
    """The per-user folders of one desk installation."""

    data: Path
    config: Path
    log: Path
    cache: Path

    def ensure(self) -> UserDirs:
        """Create the folders if they do not exist yet."""
        for folder in (self.data, self.config, self.log, self.cache):
            folder.mkdir(parents=True, exist_ok=True)
        return self

    @property
    def default_database(self) -> Path:
        """The embedded SQLite database file."""
        return self.data / "disdukcapil-desk.sqlite3"


def user_dirs(basedir: Path | None = None, *, temp: bool = False) -> UserDirs:
    """Return the user folders: platform defaults, everything below ``basedir``, or a temp dir."""
    if temp:
        basedir = Path(tempfile.mkdtemp(prefix="disdukcapil-desk-"))
        atexit.register(shutil.rmtree, basedir, ignore_errors=True)
    if basedir is not None:
        return UserDirs(basedir / "data", basedir / "config", basedir / "log", basedir / "cache")
    dirs = platformdirs.PlatformDirs(APP_ID, ORG_NAME)
    return UserDirs(
        Path(dirs.user_data_dir),
        Path(dirs.user_config_dir),
        Path(dirs.user_log_dir),
        Path(dirs.user_cache_dir),
    )
