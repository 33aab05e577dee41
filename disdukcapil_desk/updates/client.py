"""The workstation's side of updates: check, download, verify, stage, install (no Qt).

:func:`check_for_update` asks the office's repository through tufup's client (python-tuf's
``Updater``): the metadata chain root → timestamp → snapshot → targets is verified first, then
the newest release's patch (or its full archive) is downloaded with progress and checked
against the signed length and hash, the patched archive against the signed hash of the whole,
and the bundle is unpacked into a staging folder of this user's cache. :func:`install_pending`
copies a staged bundle into the installation at the next start.

Each refusal is one Indonesian sentence (:class:`Outcome` says which) and leaves the
installation and the downloaded files as they were: tuf writes a file only after it verified
it, and the staging folder is renamed into place only once complete.
"""

from __future__ import annotations

import logging
import shutil
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from requests.exceptions import RequestException
from tuf.api import exceptions as tuf_errors
from tufup.client import Client
from tufup.common import Patcher

from disdukcapil_desk.updates import APP_NAME, SCHEMA_KEY
from disdukcapil_desk.updates.install import (
    cache_layout,
    hand_over_pending,
    install_pending,
    last_checked,
    pending_update,
    prune_cache,
)

log = logging.getLogger(__name__)
__all__ = [
    "Outcome",
    "UpdateResult",
    "cache_layout",
    "check_for_update",
    "hand_over_pending",
    "install_pending",
    "last_checked",
    "pending_update",
    "prune_cache",
]

Progress = Callable[[int, int], None]
"""Called with (bytes downloaded, bytes expected) while a file arrives."""


class Outcome(StrEnum):
    """What a check came to."""

    UP_TO_DATE = "up_to_date"
    READY = "ready"
    """A newer release is verified and staged; it is installed at the next start."""
    UNREACHABLE = "unreachable"
    """The repository could not be reached; the desk keeps working on its version."""
    NEEDS_DB_UPGRADE = "needs_db_upgrade"
    """The release needs a newer database schema: the administrator runs ``db upgrade``."""
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"
    ROLLBACK = "rollback"
    HASH_MISMATCH = "hash_mismatch"
    INVALID = "invalid"
    """The metadata is not TUF metadata the desk can read (or no trusted root is at hand)."""

    @property
    def refused(self) -> bool:
        """Whether the repository's answer was refused as unsafe."""
        return self in _REFUSALS


_REFUSALS = frozenset(
    {
        Outcome.BAD_SIGNATURE,
        Outcome.EXPIRED,
        Outcome.ROLLBACK,
        Outcome.HASH_MISMATCH,
        Outcome.INVALID,
    }
)
_UNCHANGED = " Tidak ada yang diubah di komputer ini; laporkan kepada administrator."
MESSAGES = {
    Outcome.BAD_SIGNATURE: "Pembaruan ditolak: tanda tangan metadata repositori tidak sah "
    "(berkas di server mungkin diubah)." + _UNCHANGED,
    Outcome.EXPIRED: "Pembaruan ditolak: metadata repositori sudah kedaluwarsa; administrator "
    "perlu menandatangani ulang repositori ('release refresh')." + _UNCHANGED,
    Outcome.ROLLBACK: "Pembaruan ditolak: repositori menyajikan versi metadata yang lebih lama "
    "dari yang sudah dipercaya komputer ini (kemungkinan serangan rollback)." + _UNCHANGED,
    Outcome.HASH_MISMATCH: "Pembaruan ditolak: berkas pembaruan tidak cocok dengan hash yang "
    "ditandatangani (berkas rusak atau diubah)." + _UNCHANGED,
    Outcome.INVALID: "Pembaruan ditolak: metadata repositori tidak dapat dibaca sebagai "
    "metadata yang ditandatangani." + _UNCHANGED,
    Outcome.UNREACHABLE: "Repositori pembaruan tidak dapat dihubungi; aplikasi tetap dapat "
    "dipakai dengan versi ini.",
    Outcome.UP_TO_DATE: "Aplikasi sudah versi terbaru ({current}).",
}


@dataclass(frozen=True)
class UpdateResult:
    """The answer of one check: its outcome, the sentence for the officer, and what arrived."""

    outcome: Outcome
    message: str
    version: str | None = None
    """The newer release found (None when there is none or the check was refused early)."""
    staged: Path | None = None
    """The folder holding the verified new bundle (``READY`` only)."""
    downloaded: int = 0
    """Bytes downloaded for the release (metadata not counted)."""
    patched: bool = False
    """Whether the release was rebuilt from a patch rather than downloaded whole."""


class _DeskClient(Client):  # type: ignore[misc]
    """tufup's client whose metadata refresh raises: tufup's own ``check_for_updates`` turns
    a bad signature or an unreachable server into "no update", which must not be silent here.
    """

    _refreshed = False

    def refresh(self) -> None:
        """Refresh the top-level metadata once (tuf allows one refresh per client)."""
        if not self._refreshed:
            super().refresh()
            self._refreshed = True


def check_for_update(
    repo_url: str,
    install_dir: Path,
    current_version: str,
    *,
    cache_dir: Path,
    trusted_root: Path,
    database_schema: int | None = None,
    progress: Progress | None = None,
) -> UpdateResult:
    """Ask the repository at ``repo_url`` for a release newer than ``current_version``; when
    one is there and its database schema fits, download, verify and stage it.

    Args:
        repo_url: the repository's base URL (its ``metadata/`` and ``targets/`` below it).
        install_dir: the installed bundle (what :func:`install_pending` later replaces).
        current_version: this desk's version.
        cache_dir: this user's update cache (trusted metadata, archives, staged bundles).
        trusted_root: the ``root.json`` shipped with the bundle; copied into the cache the
            first time, after which tuf rotates it only through signed newer roots.
        database_schema: the shared database's schema version, when known: a release that
            needs a newer one is not downloaded (the administrator upgrades the database first).
        progress: called while files arrive.
    """
    metadata, targets, staging = cache_layout(cache_dir)
    try:
        _trust_root(metadata, trusted_root)
        targets.mkdir(parents=True, exist_ok=True)
        client = _client(repo_url, install_dir, current_version, metadata, targets)
        client.refresh()
        found = client.check_for_updates()
        if found is None:
            return UpdateResult(
                Outcome.UP_TO_DATE,
                MESSAGES[Outcome.UP_TO_DATE].format(current=current_version),
            )
        version = str(found.version)
        refusal = schema_refusal(found.custom or {}, database_schema, version)
        if refusal is not None:
            return UpdateResult(Outcome.NEEDS_DB_UPGRADE, refusal, version)
        archive, size, patched = _fetch_release(client, progress)
        staged = _stage(archive, staging / version)
    except Exception as exc:
        outcome = classify(exc)
        if outcome is None:
            raise
        log.warning("update check refused (%s): %s", outcome.value, exc)
        return UpdateResult(outcome, MESSAGES[outcome])
    return UpdateResult(
        Outcome.READY,
        f"Versi {version} sudah diunduh dan diperiksa; dipasang saat aplikasi dibuka lagi.",
        version,
        staged,
        size,
        patched,
    )


def schema_refusal(custom: dict[str, Any], database_schema: int | None, version: str) -> str | None:
    """The sentence refusing a release whose schema is newer than the shared database's, or
    None when it fits (or either side is unknown).

    A release needing an *older* schema than the database is not refused here: the database
    can only be newer if the administrator upgraded it for a newer release, and the desk then
    says "perbarui aplikasi" until that release is installed.
    """
    needed = custom.get(SCHEMA_KEY)
    if not isinstance(needed, int) or database_schema is None or needed <= database_schema:
        return None
    return (
        f"Versi {version} memerlukan basis data versi {needed}, sedangkan basis data bersama "
        f"masih versi {database_schema}. Administrator harus menjalankan "
        "'disdukcapil-desk db upgrade' terlebih dahulu; aplikasi ini tetap dipakai sampai itu."
    )


def classify(exc: BaseException) -> Outcome | None:
    """The outcome an exception of the update path means; None for one it does not expect."""
    kinds: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], Outcome], ...] = (
        (tuf_errors.UnsignedMetadataError, Outcome.BAD_SIGNATURE),
        (tuf_errors.ExpiredMetadataError, Outcome.EXPIRED),
        (tuf_errors.BadVersionNumberError, Outcome.ROLLBACK),
        (
            (tuf_errors.LengthOrHashMismatchError, tuf_errors.DownloadLengthMismatchError),
            Outcome.HASH_MISMATCH,
        ),
        (tuf_errors.RepositoryError, Outcome.INVALID),
        ((tuf_errors.DownloadError, RequestException, ConnectionError), Outcome.UNREACHABLE),
        (_PatchFailed, Outcome.HASH_MISMATCH),
        (_NoTrustedRoot, Outcome.INVALID),
    )
    for kind, outcome in kinds:
        if isinstance(exc, kind):
            return outcome
    return None


class _PatchFailed(Exception):
    """Neither the patch nor the full archive gave the signed release."""


class _NoTrustedRoot(Exception):
    """No root metadata to start trusting from."""


def _trust_root(metadata: Path, trusted_root: Path) -> None:
    if (metadata / "root.json").is_file():
        return
    if not trusted_root.is_file():
        raise _NoTrustedRoot(str(trusted_root))
    metadata.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(trusted_root, metadata / "root.json")


def _client(
    repo_url: str, install_dir: Path, current_version: str, metadata: Path, targets: Path
) -> _DeskClient:
    base = repo_url.rstrip("/")
    return _DeskClient(
        app_name=APP_NAME,
        app_install_dir=install_dir,
        current_version=current_version,
        metadata_dir=metadata,
        metadata_base_url=f"{base}/metadata/",
        target_dir=targets,
        target_base_url=f"{base}/targets/",
    )


def _download(client: _DeskClient, progress: Progress | None) -> tuple[dict[Any, Path], int]:
    """Download (or find cached) the targets tufup chose; each verified by tuf."""
    files: dict[Any, Path] = {}
    size = 0
    for meta, info in client.new_targets.items():
        cached = client.find_cached_target(targetinfo=info)
        if not cached:
            if progress is not None:
                client._fetcher.attach_progress_hook(
                    hook=lambda bytes_downloaded, bytes_expected: progress(
                        bytes_downloaded, bytes_expected
                    ),
                    bytes_expected=info.length,
                )
            cached = client.download_target(targetinfo=info)
            size += info.length
        files[meta] = Path(cached)
    return files, size


def _fetch_release(client: _DeskClient, progress: Progress | None) -> tuple[Path, int, bool]:
    """Return the verified new archive, the bytes downloaded, and whether a patch made it."""
    files, size = _download(client, progress)
    archive: Path = client.new_archive_local_path
    if all(meta.is_archive for meta in files):
        return archive, size, False
    try:
        Patcher.patch_and_verify(
            src_path=client.current_archive_local_path,
            dst_path=archive,
            patch_targets=files,
        )
        return archive, size, True
    except Exception as exc:
        # A patch that does not give the signed archive: the full archive is the fallback.
        log.warning("patch failed, downloading the full archive: %s", exc)
        archive.unlink(missing_ok=True)
        for path in files.values():
            path.unlink(missing_ok=True)
    client.check_for_updates(patch=False)
    files, full_size = _download(client, progress)
    if not all(meta.is_archive for meta in files):
        raise _PatchFailed("no full archive")
    return archive, size + full_size, False


def _stage(archive: Path, folder: Path) -> Path:
    """Unpack ``archive`` into ``folder`` (through a temporary sibling, renamed when done)."""
    if folder.is_dir():
        return folder
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(partial, filter="data")
        partial.rename(folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return folder
