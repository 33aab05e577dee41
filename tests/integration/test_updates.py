"""Signed updates end to end: two releases of a small bundle published to a repository served
on 127.0.0.1, a workstation updated from the first to the second, and every refusal — a
tampered target, a tampered metadata file, expired metadata, a rollback — leaving the
installation and the downloaded files as they were."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import random
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from disdukcapil_desk.db.engine import sqlite_url
from disdukcapil_desk.db.models import SCHEMA_VERSION
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.updates import APP_NAME, install
from disdukcapil_desk.updates.client import (
    Outcome,
    UpdateResult,
    cache_layout,
    check_for_update,
    install_pending,
)
from disdukcapil_desk.updates.publish import (
    ROLES,
    init_repo,
    metadata_dir,
    publish,
    refresh,
    rotate_key,
    targets_dir,
)
from tests.integration.cli_harness import Desk, fingerprint
from tests.integration.test_cli_newer_schema import _newer

SCHEMA = SCHEMA_VERSION
OLD, NEW = "1.0.0", "1.1.0"
ROOT = Path(__file__).resolve().parents[2]
LAUNCHER_NAME = "disdukcapil-desk"
LAUNCHER = """#!{python}
\"\"\"A small bundle's executable: the desk from source at this bundle's version, started as
a bundle is (its folder is the installation).\"\"\"
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
import disdukcapil_desk

with open(os.path.join(here, "version.txt"), encoding="utf-8") as file:
    disdukcapil_desk.__version__ = file.read().strip()
sys.frozen = True
sys.executable = os.path.abspath(__file__)
if os.environ.get("DESK_SAY_AT_LOGIN"):  # the login painted: say the version and end
    from disdukcapil_desk.ui.dialogs.login_dialog import LoginDialog

    _paint = LoginDialog.paintEvent

    def _painted(self, event):
        _paint(self, event)
        print("login", disdukcapil_desk.__version__, os.getpid(), flush=True)
        os._exit(0)

    LoginDialog.paintEvent = _painted
from disdukcapil_desk.__main__ import main

main()
"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _bundle(folder: Path, version: str) -> Path:
    """A small fake bundle: an "executable", a library that changes a little, a data file."""
    (folder / "lib").mkdir(parents=True)
    (folder / "DisdukcapilDesk.exe").write_bytes(b"MZ" + bytes(range(256)) * 200)
    library = bytearray(random.Random(16).randbytes(300_000))  # compresses as little as code
    if version == NEW:
        library[150_000:150_040] = b"v1.1.0 changed this part of the library!"
    (folder / "lib" / "desk.pyd").write_bytes(bytes(library))
    (folder / "version.txt").write_text(version, encoding="utf-8")
    launcher = folder / LAUNCHER_NAME
    launcher.write_text(LAUNCHER.format(python=sys.executable), encoding="utf-8")
    launcher.chmod(0o755)
    return folder


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@dataclass
class Office:
    """The administrator's repository and keys, served over HTTP, and one workstation."""

    repo: Path
    keys: Path
    url: str
    install: Path
    cache: Path
    dists: dict[str, Path]
    old_metadata: Path
    """The repository's metadata as it was with only the first release."""

    def check(self, **kwargs: Any) -> UpdateResult:
        return check_for_update(
            self.url,
            self.install,
            kwargs.pop("current", OLD),
            cache_dir=self.cache,
            trusted_root=self.old_metadata / "root.json",
            database_schema=kwargs.pop("database_schema", SCHEMA),
            **kwargs,
        )

    def disk(self) -> tuple[dict[str, bytes], dict[str, bytes], dict[str, bytes]]:
        """What a refusal must not change: the installation, the downloads, the staged bundles."""
        _, targets, staged = cache_layout(self.cache)
        return _tree(self.install), _tree(targets), _tree(staged)


@contextlib.contextmanager
def _served(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on 127.0.0.1 in a thread; yield its URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    repo, keys = tmp_path / "repo", tmp_path / "keys"
    init_repo(repo, keys)
    dists = {v: _bundle(tmp_path / f"dist-{v}", v) for v in (OLD, NEW)}
    publish(dists[OLD], repo, keys, OLD, SCHEMA)
    old_metadata = shutil.copytree(metadata_dir(repo), tmp_path / "metadata-1.0.0")
    publish(dists[NEW], repo, keys, NEW, SCHEMA)
    install = shutil.copytree(dists[OLD], tmp_path / "installed")
    with _served(repo) as url:
        yield Office(repo, keys, url, install, tmp_path / "cache", dists, old_metadata)


def _seed_current_archive(office: Office) -> None:
    """What a workstation that got 1.0.0 through an update keeps: its archive, for patches."""
    _, targets, _ = cache_layout(office.cache)
    targets.mkdir(parents=True, exist_ok=True)
    name = f"{APP_NAME}-{OLD}.tar.gz"
    shutil.copyfile(targets_dir(office.repo) / name, targets / name)


def test_a_workstation_updates_from_the_first_release_to_the_second(office: Office) -> None:
    seen: list[tuple[int, int]] = []
    result = office.check(progress=lambda done, total: seen.append((done, total)))

    assert result.outcome is Outcome.READY, result.message
    assert result.version == NEW and not result.patched
    archive = targets_dir(office.repo) / f"{APP_NAME}-{NEW}.tar.gz"
    assert result.downloaded == archive.stat().st_size
    assert seen and seen[-1] == (result.downloaded, result.downloaded)
    assert _tree(office.install) == _tree(office.dists[OLD]), "staged, not installed yet"

    assert install_pending(office.cache, office.install, OLD) == NEW
    assert _tree(office.install) == _tree(office.dists[NEW])
    assert install_pending(office.cache, office.install, NEW) is None
    again = office.check(current=NEW)
    assert again.outcome is Outcome.UP_TO_DATE, again.message


def test_a_workstation_with_the_previous_archive_downloads_only_the_patch(office: Office) -> None:
    _seed_current_archive(office)
    result = office.check()

    assert result.outcome is Outcome.READY and result.patched, result.message
    patch = targets_dir(office.repo) / f"{APP_NAME}-{NEW}.patch"
    archive = targets_dir(office.repo) / f"{APP_NAME}-{NEW}.tar.gz"
    assert result.downloaded == patch.stat().st_size < archive.stat().st_size / 10
    install_pending(office.cache, office.install, OLD)
    assert _tree(office.install) == _tree(office.dists[NEW])
    _, targets, _ = cache_layout(office.cache)
    assert sorted(p.name for p in targets.iterdir()) == [f"{APP_NAME}-{NEW}.tar.gz"]


def _tamper(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("seeded", [False, True], ids=["archive", "patch"])
def test_a_tampered_target_is_refused_and_nothing_changes(office: Office, seeded: bool) -> None:
    if seeded:
        _seed_current_archive(office)
    suffix = ".patch" if seeded else ".tar.gz"
    _tamper(targets_dir(office.repo) / f"{APP_NAME}-{NEW}{suffix}")
    before = office.disk()

    result = office.check()

    assert result.outcome is Outcome.HASH_MISMATCH, result.message
    assert "tidak cocok dengan hash" in result.message
    assert office.disk() == before
    assert install_pending(office.cache, office.install, OLD) is None


@pytest.mark.parametrize("role", ["timestamp", "snapshot", "targets"])
def test_a_tampered_metadata_file_is_refused_and_nothing_changes(office: Office, role: str) -> None:
    path = metadata_dir(office.repo) / f"{role}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["signed"]["expires"] = "2099-01-01T00:00:00Z"  # what a freeze attack would want
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    before = office.disk()

    result = office.check()

    assert result.outcome is Outcome.BAD_SIGNATURE, result.message
    assert "tanda tangan metadata repositori tidak sah" in result.message
    assert office.disk() == before


def test_expired_metadata_is_refused_and_nothing_changes(office: Office) -> None:
    refresh(office.repo, office.keys, roles=("timestamp",), expiry={"timestamp": -1})
    before = office.disk()

    result = office.check()

    assert result.outcome is Outcome.EXPIRED, result.message
    assert "kedaluwarsa" in result.message
    assert office.disk() == before


def test_old_metadata_served_again_is_a_rollback_and_is_refused(office: Office) -> None:
    first = office.check()
    assert first.outcome is Outcome.READY, first.message
    shutil.rmtree(metadata_dir(office.repo))
    shutil.copytree(office.old_metadata, metadata_dir(office.repo))
    before = office.disk()

    result = office.check()

    assert result.outcome is Outcome.ROLLBACK, result.message
    assert "rollback" in result.message
    assert office.disk() == before


def test_an_older_release_is_never_published(office: Office) -> None:
    before = _tree(office.repo)
    with pytest.raises(DeskError, match=r"tidak lebih baru dari rilis terakhir 1\.1\.0"):
        publish(office.dists[OLD], office.repo, office.keys, "1.0.5", SCHEMA)
    with pytest.raises(DeskError, match="tidak lebih baru"):
        publish(office.dists[OLD], office.repo, office.keys, NEW, SCHEMA)
    assert _tree(office.repo) == before


def test_a_release_for_a_newer_schema_waits_for_the_database_upgrade(office: Office) -> None:
    before = office.disk()

    result = office.check(database_schema=SCHEMA - 1)

    assert result.outcome is Outcome.NEEDS_DB_UPGRADE and result.version == NEW
    assert "db upgrade" in result.message and f"versi {SCHEMA}" in result.message
    assert office.disk() == before


def test_an_unreachable_repository_leaves_the_desk_working(office: Office) -> None:
    office.url = "http://127.0.0.1:9/"
    before = office.disk()

    result = office.check()

    assert result.outcome is Outcome.UNREACHABLE and not result.outcome.refused
    assert "tetap dapat dipakai" in result.message
    assert office.disk() == before


def test_the_administrator_publishes_and_a_workstation_updates_from_the_command_line(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The admin's commands run without a desk login on their own machine; the workstation's
    check says what it did, waits for ``db upgrade`` when a release needs it, works on the
    newer schema it then finds, and says when it last reached the repository."""
    desk = Desk(db_url, tmp_path / "desk", capsys, monkeypatch)
    repo, keys = tmp_path / "repo", tmp_path / "keys"
    dists = {v: _bundle(tmp_path / f"dist-{v}", v) for v in (OLD, NEW)}
    made = desk("release", "init-repo", "--repo", str(repo), "--keys", str(keys))
    assert made.code == 0 and "Repositori dibuat" in made.out, made.err
    assert "update-root.json" in made.out and (keys / "root").is_file()
    repo_args = ["--repo", str(repo), "--keys", str(keys)]
    for version in (OLD, NEW):
        done = desk("release", "publish", str(dists[version]), *repo_args, "--version", version)
        assert done.code == 0 and f"Rilis {version} (skema basis data {SCHEMA})" in done.out
    assert "Patch dari rilis sebelumnya" in done.out
    again = desk("release", "publish", str(dists[OLD]), *repo_args, "--version", "1.0.1")
    assert again.code == 1 and "tidak lebih baru dari rilis terakhir 1.1.0" in again.err
    before = fingerprint(db_url)
    install = shutil.copytree(dists[OLD], tmp_path / "installed")
    check = ["update", "check", "--install-dir", str(install)]
    check += ["--root", str(metadata_dir(repo) / "root.json")]

    with _served(repo) as url:
        assert desk("update", "set-url", url).code == 0
        ready = desk(*check)
        assert ready.code == 0 and "Versi 1.1.0 sudah diunduh dan diperiksa" in ready.out
        assert "Mengunduh… 100 %" in ready.err and "Diunduh:" in ready.out
        newer = "1.2.0"
        dist = _bundle(tmp_path / "dist-1.2.0", newer)
        args = ["--version", newer, "--schema", str(SCHEMA + 1)]
        assert desk("release", "publish", str(dist), *repo_args, *args).code == 0
        waiting = desk(*check)
        assert waiting.code == 1 and "db upgrade" in waiting.out, waiting
        assert f"basis data versi {SCHEMA + 1}" in waiting.out
        assert fingerprint(db_url) == before, "a check wrote to the database"
        _newer(db_url)  # the administrator upgraded the shared database
        upgraded = fingerprint(db_url)
        after = desk(*check)
        assert after.code == 0 and f"Versi {newer} sudah diunduh" in after.out, after
        assert fingerprint(db_url) == upgraded
    unreachable = desk(*check)
    assert unreachable.code == 1 and "tidak dapat dihubungi" in unreachable.out
    assert "Terakhir berhasil diperiksa" in unreachable.out


def test_the_workstation_remembers_its_repository_and_last_check(tmp_path: Path) -> None:
    from disdukcapil_desk.settings import WorkstationFile

    path = tmp_path / "workstation.ini"
    path.write_text("[users]\nadmin\\geometry=@ByteArray(AdnQywAD)\n", encoding="utf-8")
    settings = WorkstationFile(path)
    assert settings.update_url == "" and settings.update_checked is None
    with pytest.raises(ValueError, match="http"):
        settings.set_update_url("\\\\server\\pembaruan")
    settings.set_update_url("http://server.dinas/pembaruan/")
    at = dt.datetime(2026, 11, 30, 5, 0, tzinfo=dt.UTC)
    settings.set_update_checked(at, "ready")

    again = WorkstationFile(path)
    assert again.update_url == "http://server.dinas/pembaruan/"
    assert again.update_checked == (at, "ready")
    assert "admin\\geometry=@ByteArray(AdnQywAD)" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("role", ["timestamp", "root"])
def test_a_rotated_key_is_followed_by_workstations_and_the_old_one_signs_no_more(
    office: Office, role: str, tmp_path: Path
) -> None:
    assert office.check().outcome is Outcome.READY
    stick = tmp_path / "stick"  # the root key lives offline
    stick.mkdir()
    shutil.move(office.keys / "root", stick / "root")
    home = stick if role == "root" else office.keys
    old_key = (home / role).read_bytes()

    assert rotate_key(office.repo, office.keys, role, stick) == home / role
    assert (home / role).read_bytes() != old_key
    assert sorted(p.name for p in office.keys.iterdir()) == sorted(
        ["targets", "snapshot", "timestamp", *(f"{r}.pub" for r in ROLES)]
    )
    publish(_bundle(tmp_path / "dist-1.2.0", "1.2.0"), office.repo, office.keys, "1.2.0", SCHEMA)
    result = office.check(current=NEW)
    assert result.outcome is Outcome.READY and result.version == "1.2.0", result.message

    if role == "timestamp":  # the old key, found again, cannot sign for the office any more
        (office.keys / role).write_bytes(old_key)
        refresh(office.repo, office.keys, roles=("timestamp",), expiry={"timestamp": 7})
        again = office.check(current="1.2.0")
        assert again.outcome is Outcome.BAD_SIGNATURE, again.message


def _start(office: Office, basedir: Path, database: Path, *args: str) -> str:
    """Start the installed small bundle as an officer does (the window, until its login is
    painted); return what it printed."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    env["DESK_SAY_AT_LOGIN"] = "1"
    for name in ("DISDUKCAPIL_DB", "DISDUKCAPIL_DESK_UPDATED_FROM"):
        env.pop(name, None)
    command = [str(office.install / LAUNCHER_NAME), "--basedir", str(basedir)]
    command += ["--db", sqlite_url(database), *args]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="the small bundle's launcher is a script")
def test_the_desk_installs_the_staged_release_at_start_and_restarts_into_it(
    office: Office, tmp_path: Path, sqlite_template: Path
) -> None:
    """From the first release to the second through the start path, in a real process: the
    check stages 1.1.0, the next start of 1.0.0 installs it before its window loads and the
    same process becomes 1.1.0, whose login is painted; the start after that installs
    nothing."""
    basedir = tmp_path / "desk"
    office.cache = basedir / "cache" / "pembaruan"
    database = tmp_path / "desk.sqlite3"
    shutil.copy(sqlite_template, database)
    assert office.check().outcome is Outcome.READY

    said = _start(office, basedir, database).split()

    assert said[:2] == ["login", NEW], said
    assert _tree(office.install) == _tree(office.dists[NEW])
    assert not (office.cache / "staged" / NEW).exists()
    log = (basedir / "log").glob("*.log")
    assert any(f"installing staged release {NEW}" in p.read_text() for p in log)
    version = subprocess.run(
        [str(office.install / LAUNCHER_NAME), "--version"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.split()[-1] == NEW
    assert _start(office, basedir, database).split()[:2] == ["login", NEW]


@pytest.mark.skipif(sys.platform == "win32", reason="the small bundle's launcher is a script")
def test_a_refused_release_is_not_installed_at_start(
    office: Office, tmp_path: Path, sqlite_template: Path
) -> None:
    basedir = tmp_path / "desk"
    office.cache = basedir / "cache" / "pembaruan"
    database = tmp_path / "desk.sqlite3"
    shutil.copy(sqlite_template, database)
    _tamper(targets_dir(office.repo) / f"{APP_NAME}-{NEW}.tar.gz")
    assert office.check().outcome is Outcome.HASH_MISMATCH
    before = office.disk()

    said = _start(office, basedir, database).split()

    assert said[:2] == ["login", OLD], said
    assert office.disk() == before


def test_the_administrator_refreshes_and_rotates_a_key_from_the_command_line(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``release refresh`` re-signs with a later expiry (root only with its key at hand);
    ``release rotate-key`` replaces the targets key: a release signed with the new key is
    accepted by a workstation that trusted the old root, one signed with the old key refused."""
    desk = Desk(db_url, tmp_path / "desk", capsys, monkeypatch)
    repo, keys, stick = tmp_path / "repo", tmp_path / "keys", tmp_path / "stick"
    repo_args = ["--repo", str(repo), "--keys", str(keys)]
    assert desk("release", "init-repo", *repo_args).code == 0
    assert (
        desk(
            "release", "publish", str(_bundle(tmp_path / "d1", OLD)), *repo_args, "--version", OLD
        ).code
        == 0
    )
    trusted = shutil.copyfile(metadata_dir(repo) / "root.json", tmp_path / "root-1.json")
    stamp = metadata_dir(repo) / "timestamp.json"
    before = json.loads(stamp.read_text(encoding="utf-8"))["signed"]

    refreshed = desk("release", "refresh", *repo_args)

    assert refreshed.code == 0, refreshed.err
    assert [line.split(":")[0] for line in refreshed.out.splitlines()] == list(ROLES[1:])
    after = json.loads(stamp.read_text(encoding="utf-8"))["signed"]
    assert after["version"] == before["version"] + 1 and after["expires"] >= before["expires"]
    stick.mkdir()
    shutil.move(keys / "root", stick / "root")
    no_root = desk("release", "refresh", *repo_args, "--role", "root")
    assert no_root.code == 1 and "Kunci privat root tidak ada" in no_root.err
    old_key = (keys / "targets").read_bytes()

    rotated = desk(
        "release", "rotate-key", *repo_args, "--role", "targets", "--root-keys", str(stick)
    )

    assert rotated.code == 0 and "Kunci targets diganti" in rotated.out, rotated.err
    assert (keys / "targets").read_bytes() != old_key and not (keys / "root").exists()
    assert (
        desk(
            "release", "publish", str(_bundle(tmp_path / "d2", NEW)), *repo_args, "--version", NEW
        ).code
        == 0
    )
    install = shutil.copytree(tmp_path / "d1", tmp_path / "installed")
    check = ["update", "check", "--install-dir", str(install), "--root", str(trusted)]
    with _served(repo) as url:
        new_key = desk(*check, "--repo-url", url)
        assert new_key.code == 0 and f"Versi {NEW} sudah diunduh" in new_key.out, new_key
        (keys / "targets").write_bytes(old_key)  # the old key, found again, signs a release
        dist = _bundle(tmp_path / "d3", "1.2.0")
        desk("release", "publish", str(dist), *repo_args, "--version", "1.2.0")
        staged = sorted(p.name for p in (desk.basedir / "cache" / "pembaruan" / "staged").iterdir())
        old_signed = desk(*check, "--repo-url", url)
    assert old_signed.code == 1 and "tanda tangan metadata repositori tidak sah" in old_signed.out
    assert (
        sorted(p.name for p in (desk.basedir / "cache" / "pembaruan" / "staged").iterdir())
        == staged
    )


def test_the_window_and_the_command_line_share_the_update_cache_of_the_basedir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--basedir`` moves the window's update cache as it moves the command line's."""
    monkeypatch.setitem(install._state, "cache", None)
    install.install_at_start(tmp_path / "desk" / "cache", OLD)  # from source: installs nothing
    assert install.user_update_cache() == tmp_path / "desk" / "cache" / "pembaruan"


def test_on_windows_the_installer_script_moves_the_files_and_starts_the_desk_again(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hand-over on Windows (only its script can be checked here): tufup's robocopy
    script, logging to pembaruan.log, then the desk started again, marked as just updated."""
    from tufup.utils import platform_specific

    assert office.check().outcome is Outcome.READY
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(platform_specific, "install_update", lambda **kw: calls.append(kw))
    monkeypatch.setattr(sys, "platform", "win32")
    command = [r"C:\Users\loket\AppData\Local\Programs\Disdukcapil Desk\disdukcapil-desk.exe"]

    assert install.hand_over_pending(office.cache, office.install, OLD, command) == NEW

    (call,) = calls
    assert call["dst_dir"] == office.install and call["log_file_name"] == "pembaruan.log"
    script = call["batch_template"].format(
        src_dir=call["src_dir"],
        dst_dir=call["dst_dir"],
        robocopy_options=" ".join(platform_specific.WIN_ROBOCOPY_OVERWRITE),
        log_lines="",
        delete_self=platform_specific.WIN_BATCH_DELETE_SELF,
        **call["batch_template_extra_kwargs"],
    )
    lines = script.splitlines()
    robocopy = next(i for i, line in enumerate(lines) if line.startswith("robocopy "))
    start = next(i for i, line in enumerate(lines) if line.startswith('start "" '))
    assert robocopy < start and "/move" in lines[robocopy] and "/w:2" in lines[robocopy]
    assert lines[start] == f'start "" "{command[0]}"'
    assert f"set {install.UPDATED_FROM}={OLD}" in lines
    assert "set PYINSTALLER_RESET_ENVIRONMENT=1" in lines
    assert lines[-1] == platform_specific.WIN_BATCH_DELETE_SELF
    assert _tree(office.install) == _tree(office.dists[OLD]), "nothing copied by the desk"


def test_a_release_is_not_installed_into_a_folder_the_user_cannot_write(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installation the officer cannot write (``C:\\Program Files``; here the probe says
    so, the tests run as a user who may write anywhere): nothing is replaced, no restart, the
    staged release waits."""
    office.cache = office.cache / "pembaruan"
    assert office.check().outcome is Outcome.READY
    monkeypatch.setattr(install, "installation", lambda: office.install)
    monkeypatch.setattr(install, "writable", lambda folder: folder != office.install)
    monkeypatch.delenv(install.UPDATED_FROM, raising=False)
    before = office.disk()

    install.install_at_start(office.cache.parent, OLD)  # returns: no exec

    assert office.disk() == before
    assert install.writable(office.install.parent)
    monkeypatch.undo()
    assert install.writable(office.install)
