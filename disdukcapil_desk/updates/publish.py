"""The administrator's side of updates: the repository, its keys and each release (no Qt).

An update repository is two folders the office serves as they are (HTTP on the LAN, or a file
share): ``metadata/`` (TUF's ``root``/``targets``/``snapshot``/``timestamp`` JSON, each signed
with its own Ed25519 key) and ``targets/`` (``DisdukcapilDesk-X.Y.Z.tar.gz`` archives and the
``.patch`` from the release before). The keys live apart from the repository, in a key folder
the administrator keeps; the root key belongs offline once the repository exists (see
docs/updates.md). tufup does the work; this module gives it the desk's names, expiry periods and
refusals, and keeps tufup's own configuration file out of the working folder.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version
from tufup.repo import Keys, Repository

from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.updates import APP_NAME, SCHEMA_KEY

ROLES = ("root", "targets", "snapshot", "timestamp")
ONLINE_ROLES = ("targets", "snapshot", "timestamp")
"""The roles signed at each release; the root key is needed only to change keys or root."""
EXPIRY_DAYS: Mapping[str, int] = {"root": 365, "targets": 90, "snapshot": 90, "timestamp": 30}
"""How long each signature lives. A workstation refuses expired metadata, so the timestamp (and
snapshot/targets) must be re-signed before then: ``release refresh`` monthly, or any release.
Thirty days leave a UPT that was offline a few weeks able to update, and bound how long an
attacker could replay an old (signed) state of the repository."""


@dataclass(frozen=True)
class Published:
    """What ``release publish`` added to the repository."""

    version: str
    schema_version: int
    archive: Path
    patch: Path | None

    @property
    def archive_size(self) -> int:
        """Bytes a workstation downloads for a full update."""
        return self.archive.stat().st_size

    @property
    def patch_size(self) -> int | None:
        """Bytes a workstation on the previous release downloads (None: no patch)."""
        return self.patch.stat().st_size if self.patch else None


class _OfficeRepository(Repository):  # type: ignore[misc]
    """tufup's repository without its configuration file in the current folder: the desk
    passes the folders and the expiry on every call instead.
    """

    def save_config(self) -> None:
        """Write nothing (tufup would write ``.tufup-repo-config`` to the working folder)."""

    @classmethod
    def load_config(cls) -> dict[str, Any]:
        """Read nothing: the desk's settings come from its own arguments."""
        return {}


def _repository(
    repo_dir: Path, keys_dir: Path, expiry: Mapping[str, int] | None = None
) -> Repository:
    return _OfficeRepository(
        app_name=APP_NAME,
        repo_dir=repo_dir,
        keys_dir=keys_dir,
        expiration_days=dict(expiry or EXPIRY_DAYS),
    )


def metadata_dir(repo_dir: Path) -> Path:
    """The repository's ``metadata/`` folder."""
    return repo_dir / "metadata"


def targets_dir(repo_dir: Path) -> Path:
    """The repository's ``targets/`` folder."""
    return repo_dir / "targets"


def root_file(repo_dir: Path) -> Path:
    """The trusted root a workstation starts from (shipped with the bundle)."""
    return metadata_dir(repo_dir) / "root.json"


def init_repo(repo_dir: Path, keys_dir: Path, expiry: Mapping[str, int] | None = None) -> Path:
    """Create the office's four key pairs in ``keys_dir`` and a repository with signed metadata
    and no release yet; return the root metadata file every bundle must carry.

    Raises:
        DeskError: the repository already has metadata, or the key folder already has keys
            (neither is overwritten).
    """
    if root_file(repo_dir).exists():
        raise DeskError(f"Repositori {repo_dir} sudah ada (metadata/root.json); tidak diubah.")
    existing = sorted(p.name for p in keys_dir.glob("*.pub")) if keys_dir.is_dir() else []
    if existing:
        raise DeskError(
            f"Folder kunci {keys_dir} sudah berisi kunci ({', '.join(existing)}); "
            "pilih folder kosong."
        )
    repo = _repository(repo_dir, keys_dir, expiry)
    repo.initialize()
    return root_file(repo_dir)


def _open(repo_dir: Path, keys_dir: Path, expiry: Mapping[str, int] | None) -> Repository:
    """Load a repository and check that the online keys are at hand."""
    if not root_file(repo_dir).is_file():
        raise DeskError(
            f"{repo_dir} bukan repositori pembaruan (tidak ada metadata/root.json); "
            "buat dengan 'release init-repo'."
        )
    missing = [role for role in ONLINE_ROLES if not (keys_dir / role).is_file()]
    if missing:
        raise DeskError(
            f"Kunci privat {', '.join(missing)} tidak ada di {keys_dir}; repositori tidak diubah."
        )
    repo = _repository(repo_dir, keys_dir, expiry)
    # tufup's public ``initialize`` would create missing key pairs (and ask on a terminal);
    # loading is all a release needs.
    repo._load_keys_and_roles(create_keys=False)
    return repo


def _checked_version(version: str) -> Version:
    try:
        parsed = Version(version)
    except InvalidVersion:
        raise DeskError(f"Versi {version!r} tidak sah; tulis seperti 1.4.0") from None
    if str(parsed) != version:
        raise DeskError(f"Tulis versi {version!r} dalam bentuk bakunya: {parsed}")
    return parsed


def publish(
    dist_dir: Path,
    repo_dir: Path,
    keys_dir: Path,
    version: str,
    schema_version: int,
    expiry: Mapping[str, int] | None = None,
) -> Published:
    """Add the built bundle folder ``dist_dir`` as release ``version``: its archive, a patch
    from the latest release, and re-signed targets, snapshot and timestamp metadata.

    Raises:
        DeskError: not a bundle folder, not a repository, keys missing, or ``version`` not newer
            than the latest release (a rollback is never published); nothing is changed then.
    """
    if not dist_dir.is_dir() or not any(dist_dir.iterdir()):
        raise DeskError(f"{dist_dir} bukan folder bundel (kosong atau tidak ada)")
    parsed = _checked_version(version)
    repo = _open(repo_dir, keys_dir, expiry)
    latest = repo.roles.get_latest_archive()
    if latest is not None and latest.version >= parsed:
        raise DeskError(
            f"Versi {version} tidak lebih baru dari rilis terakhir {latest.version}; "
            "repositori tidak diubah."
        )
    archive = targets_dir(repo_dir) / f"{APP_NAME}-{version}.tar.gz"
    if archive.exists():
        raise DeskError(f"Arsip {archive.name} sudah ada di repositori; hapus dahulu bila sisa.")
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    repo.add_bundle(
        new_bundle_dir=dist_dir,
        new_version=version,
        custom_metadata={SCHEMA_KEY: schema_version, "published_at": stamp},
    )
    repo.publish_changes(private_key_dirs=[keys_dir])
    patch = archive.with_name(f"{APP_NAME}-{version}.patch")
    return Published(version, schema_version, archive, patch if patch.exists() else None)


def refresh(
    repo_dir: Path,
    keys_dir: Path,
    roles: Sequence[str] = ONLINE_ROLES,
    expiry: Mapping[str, int] | None = None,
) -> dict[str, dt.datetime]:
    """Re-sign ``roles`` with a new expiry (``release refresh``); return each role's new expiry.

    Raises:
        DeskError: not a repository, an unknown role, or a key missing.
    """
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise DeskError(f"Peran tidak dikenal: {', '.join(unknown)} (pilihan: {', '.join(ROLES)})")
    if "root" in roles and not (keys_dir / "root").is_file():
        raise DeskError(f"Kunci privat root tidak ada di {keys_dir}; repositori tidak diubah.")
    days = {**EXPIRY_DAYS, **(expiry or {})}
    repo = _open(repo_dir, keys_dir, days)
    for role in roles:
        repo.refresh_expiration_date(role, days=days[role])
        # A new version every time: tufup re-signs only what differs from the file, and an
        # expiry computed within the same second as the last one would not.
        getattr(repo.roles, role).signed.version += 1
    repo.publish_changes(private_key_dirs=[keys_dir])
    return {role: getattr(repo.roles, role).signed.expires for role in roles}


def rotate_key(repo_dir: Path, keys_dir: Path, role: str, root_keys_dir: Path) -> Path:
    """Replace ``role``'s key with a new pair, signed over by the root key; return where the
    new private key is.

    The root metadata lists the new key (signed with the current root key, and for ``root``
    also with the new one, so workstations follow the change without a visit), then the other
    roles are re-signed with their keys. The new key takes the role's file name: ``release
    publish`` and ``refresh`` go on as before. A new root private key goes to
    ``root_keys_dir`` (the offline stick), in place of the old one.

    Raises:
        DeskError: an unknown role, not a repository, or a private key missing.
    """
    if role not in ROLES:
        raise DeskError(f"Peran tidak dikenal: {role} (pilihan: {', '.join(ROLES)})")
    if not (root_keys_dir / "root").is_file():
        raise DeskError(f"Kunci privat root tidak ada di {root_keys_dir}; repositori tidak diubah.")
    repo = _open(repo_dir, keys_dir, None)
    new_name = f"{role}-baru"
    new_private, new_public = keys_dir / new_name, keys_dir / f"{new_name}.pub"
    new_private.unlink(missing_ok=True)
    new_public.unlink(missing_ok=True)
    Keys.create_key_pair(new_private, encrypted=False)
    repo.replace_key(role, new_public, new_private_key_encrypted=False)
    repo.publish_changes(private_key_dirs=[keys_dir, root_keys_dir])
    home = root_keys_dir if role == "root" else keys_dir
    os.replace(new_private, home / role)
    os.replace(new_public, keys_dir / f"{role}.pub")
    return home / role
