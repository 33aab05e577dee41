"""Running the command line in this process, fast, and telling whether a database changed.

The subprocess tests in ``test_cli.py`` prove the real process (stdin, exit status, the crash
hook); these helpers run :func:`disdukcapil_desk.app.run` itself, so that a test can walk every
command, or a property test hundreds of argument lists, in seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

import disdukcapil_desk.db.models  # noqa: F401  (every table on the metadata)
from disdukcapil_desk import app, cli
from disdukcapil_desk.db.base import Base
from disdukcapil_desk.db.engine import make_engine


@dataclass(frozen=True)
class Ran:
    """What one command did: exit status, standard output and standard error."""

    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


class Desk:
    """The command line of one database, run in this process."""

    def __init__(
        self,
        url: str,
        basedir: Path,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        self.url = url
        self.basedir = basedir
        self._capsys = capsys
        self._monkeypatch = monkeypatch
        monkeypatch.delenv("DISDUKCAPIL_DB", raising=False)
        monkeypatch.delenv("DISDUKCAPIL_LOGIN", raising=False)

    def __call__(
        self, *args: str, stdin: str = "", login: str | None = None, password: str = ""
    ) -> Ran:
        """Run ``args`` on this database; with ``login``, its password is stdin's first line."""
        door = ["--login", login] if login else []
        argv = ["--basedir", str(self.basedir), "--db", self.url, *door, *args]
        self._monkeypatch.setattr(
            sys, "stdin", io.StringIO(f"{password}\n{stdin}" if login else stdin)
        )
        self._capsys.readouterr()
        try:
            code = app.run(argv)
        except SystemExit as exc:  # argparse: --help, or a usage error
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = self._capsys.readouterr()
        return Ran(code, out, err)


def one_error_line(ran: Ran) -> str:
    """The one ``galat:`` line of a refused command, after the line naming the database."""
    assert ran.code == 1, ran
    assert len(ran.err_lines) == 2, ran.err
    named, error = ran.err_lines
    assert named.startswith("Basis data: "), ran.err
    assert error.startswith("galat: ") and "Traceback" not in ran.err, ran.err
    return error


def fingerprint(url: str) -> dict[str, str]:
    """A digest of every table's rows (in key order): equal before and after means unchanged."""
    engine = make_engine(url, create=False)
    digests: dict[str, str] = {}
    try:
        with engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                order = list(table.primary_key.columns) or list(table.columns)
                rows = conn.execute(select(table).order_by(*order)).all()
                digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    finally:
        engine.dispose()
    return digests


def leaf_commands(
    parser: argparse.ArgumentParser | None = None, prefix: tuple[str, ...] = ()
) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every command of the desk that runs something (``db init``, ``show``…), by its words."""
    parser = parser or cli.build_parser()
    found: dict[tuple[str, ...], argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update(leaf_commands(sub, (*prefix, name)))
    if not found and prefix:
        found[prefix] = parser
    return found


def sample_arguments(folder: Path) -> dict[tuple[str, ...], list[str]]:
    """Well-formed arguments for every command (files in ``folder``; outputs to ``folder/out``).

    A test over "every command" checks that this covers :func:`leaf_commands`: a new command
    must be added here, and so gets walked by those tests too.
    """
    out = folder / "out"
    out.mkdir(exist_ok=True)
    junk = folder / "berkas.bin"
    junk.write_bytes(b"bukan PDF")
    updates_repo = str(folder / "pembaruan")
    return {
        ("db", "init"): [],
        ("db", "upgrade"): [],
        ("db", "check"): [],
        ("db", "schema-sql"): [],
        ("demo",): ["--requests", "3"],
        ("ingest",): [],
        ("show",): ["DINAS/20261102/0001"],
        ("location", "list"): [],
        ("audit", "verify"): [],
        ("audit", "head"): [],
        ("audit", "key", "init"): [],
        ("password",): [],
        ("receipt",): ["DINAS/20261102/0001", "-o", str(out / "tt.pdf")],
        ("certificate",): ["DINAS/20261102/0001", "-o", str(out / "akta.pdf")],
        ("verify",): [str(junk)],
        ("print-ready",): ["--location", "DINAS", "-o", str(out / "siap.pdf")],
        ("public-key",): ["-o", str(out / "kunci.pem")],
        ("signing", "set"): [str(junk)],
        ("signing", "show"): [],
        ("signing", "clear"): [],
        ("signing", "timestamp"): ["--clear"],
        ("signer", "rotate"): [],
        ("signer", "serve"): [],
        ("number", "offset"): ["--service", "akta_kelahiran", "--year", "2027", "--offset", "5"],
        ("number", "register"): [],
        ("intake", "quarantine"): [],
        ("intake", "requeue"): ["1"],
        ("channel", "simulate"): ["--citizens", "2", "--rounds", "1", "--seed", "3"],
        ("recap",): ["--from", "2026-11-01", "--to", "2026-11-30", "-o", str(out / "r.xlsx")],
        ("user", "add"): ["petugas.baru", "--role", "operator", "--location", "DINAS"],
        ("user", "list"): [],
        ("user", "passwd"): ["loket2.dinas"],
        ("user", "unlock"): ["loket2.dinas"],
        ("user", "deactivate"): ["loket2.dinas"],
        ("user", "activate"): ["loket2.dinas"],
        ("user", "set-role"): ["loket2.dinas", "--role", "operator"],
        ("pickup", "windows"): ["--date", "2026-11-03"],
        ("pickup", "hours"): ["UPT-05", "--capacity", "5"],
        ("pickup", "book"): ["UPT-05/20261102/0001"],
        ("pickup", "list"): ["-o", str(out / "daftar.pdf")],
        ("pickup", "checkin"): ["UPT-05/20261102/0001"],
        ("pickup", "sweep"): [],
        ("siak", "record"): ["DINAS/20261102/0001", "--no-akta", "3604-KM-03112026-0007"],
        ("siak", "show"): ["DINAS/20261102/0001"],
        ("siak", "series"): ["on"],
        ("tte", "attach"): ["DINAS/20261102/0001", str(junk)],
        ("tte", "send"): ["DINAS/20261102/0001"],
        ("tte", "source"): ["akta_kematian", "desk"],
        ("release", "init-repo"): ["--repo", updates_repo, "--keys", str(folder / "kunci")],
        ("release", "publish"): [str(folder), "--repo", updates_repo, "--version", "1.0.0"],
        ("release", "refresh"): ["--repo", updates_repo],
        ("release", "rotate-key"): ["--repo", updates_repo, "--role", "root", "--root-keys", "."],
        ("update", "set-url"): ["http://127.0.0.1:9/pembaruan/"],
        ("update", "check"): ["--repo-url", "http://127.0.0.1:9/", "--install-dir", str(folder)],
    }
