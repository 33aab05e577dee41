"""Signed updates of the workstation bundle on tufup / The Update Framework (no Qt, no SQL).

:mod:`~disdukcapil_desk.updates.publish` is the administrator's side: an update repository (a
folder served over HTTP on the office LAN) holding each release as a ``.tar.gz`` archive and a
binary patch from the previous release, described by TUF metadata signed with the office's keys.
:mod:`~disdukcapil_desk.updates.client` is the workstation's side: ask the repository, download
with progress, let tufup verify, stage the new bundle and install it at the next start. Every
refusal (bad signature, expired metadata, a rollback, a file whose hash does not match) is one
Indonesian sentence and changes nothing in the installation.
"""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

APP_NAME = "DisdukcapilDesk"
"""The name of the archives in the repository (``DisdukcapilDesk-1.2.0.tar.gz``)."""
SCHEMA_KEY = "schema_version"
"""The custom metadata of a release's archive: the database schema version it works with."""
ROOT_FILE_NAME = "update-root.json"
"""The office's root metadata as a workstation first trusts it: the repository's
``metadata/root.json`` (public), next to the executable or in ``resources/``."""


def trusted_root_of(install_dir: Path) -> Path:
    """The root metadata an installation carries: ``update-root.json`` next to the executable
    (the installer puts it there), else in the bundle's ``resources/`` (built in); the first
    place when neither has it, so that the refusal names where it was looked for.
    """
    from disdukcapil_desk.paths import resource_path

    beside = install_dir / ROOT_FILE_NAME
    built_in = resource_path(ROOT_FILE_NAME)
    return built_in if not beside.is_file() and built_in.is_file() else beside


def _stand_in_for_setuptools() -> None:
    """Let ``import tufup`` work in the bundle, which leaves setuptools out.

    tufup's package imports its repository tools, and those import ``setuptools.config.expand``
    for one reason only: to work around a PyInstaller issue of frozen apps that *do* carry
    setuptools. A workstation never builds or publishes, so the bundle leaves setuptools out
    (2 MiB, ``build.spec``); there an empty module stands in for it. From source the real one
    is imported as before.
    """
    if not getattr(sys, "frozen", False):
        return
    try:
        importlib.import_module("setuptools.config.expand")
    except ImportError:
        for name in ("setuptools", "setuptools.config", "setuptools.config.expand"):
            sys.modules.setdefault(name, types.ModuleType(name))


_stand_in_for_setuptools()
