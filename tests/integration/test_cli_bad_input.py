"""Bad input at the command line: one Indonesian line and a non-zero exit, never a traceback,
and nothing changed. The cases found by hand first (each fixed where it arose), then a property
test over the whole argument grammar."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disdukcapil_desk.db.engine import make_engine
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DatabaseError, DeskError, NotFound
from disdukcapil_desk.domain.recap import Period, PeriodOutOfRange
from disdukcapil_desk.domain.workflow import Permission
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.demo import MAX_DEMO_REQUESTS, DemoOps
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.recaps import Recaps
from tests.conftest import TEST_PASSWORD, TEST_USERS
from tests.integration.cli_harness import (
    Desk,
    Ran,
    fingerprint,
    leaf_commands,
    one_error_line,
)


@pytest.fixture
def desk(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Desk:
    return Desk(db_url, tmp_path / "desk", capsys, monkeypatch)


def as_user(desk: Desk, login: str) -> Callable[..., Ran]:
    def run(*args: str, stdin: str = "") -> Ran:
        return desk(*args, stdin=stdin, login=login, password=TEST_PASSWORD)

    return run


# -- the cases found, each where it arose -----------------------------------------------------


def test_recap_into_a_missing_folder_is_one_line(
    desk: Desk, ctx: DeskContext, users: dict[str, Actor], tmp_path: Path
) -> None:
    missing = tmp_path / "tidak-ada" / "rekap.xlsx"
    done = as_user(desk, "kasi.dinas")(
        "recap", "--from", "2026-11-01", "--to", "2026-11-30", "-o", str(missing)
    )
    assert "Folder" in one_error_line(done) and "tidak ada" in done.err
    with pytest.raises(DeskError, match="tidak ada"):  # the window's door too
        Recaps(ctx).build_recap(
            users["kasi.dinas"], dt.date(2026, 11, 1), dt.date(2026, 11, 30), None, missing
        )
    assert not missing.parent.exists()


def test_a_recap_to_year_9999_is_refused(desk: Desk) -> None:
    done = as_user(desk, "kasi.dinas")(
        "recap", "--from", "2026-01-01", "--to", "9999-12-31", "-o", str(desk.basedir / "r.xlsx")
    )
    assert "tahun 9999 di luar rentang" in one_error_line(done)
    with pytest.raises(PeriodOutOfRange):
        Period(dt.date(2026, 1, 1), dt.date.max)


def test_number_offset_of_an_unknown_service_or_year(
    desk: Desk, ctx: DeskContext, users: dict[str, Actor]
) -> None:
    admin = as_user(desk, "admin")
    unknown = admin("number", "offset", "--service", "nope", "--year", "2026", "--offset", "3")
    assert one_error_line(unknown) == "galat: Layanan 'nope' tidak dikenal"
    year = admin("number", "offset", "--service", "akta_kelahiran", "--year", "0", "--offset", "3")
    assert "tahun 0 di luar rentang" in one_error_line(year)
    with pytest.raises(NotFound):
        DocumentOps(ctx).set_opening_offset(users["admin"], "nope", 2026, 3)


@pytest.mark.parametrize(
    "url", ["mysql://desk@server/disdukcapil", "postgresql+asyncpg://x/y", "bukan alamat"]
)
def test_an_unsupported_database_url(desk: Desk, url: str) -> None:
    desk.url = url
    done = desk("db", "check")
    assert "tidak" in one_error_line(done) and "ModuleNotFound" not in done.err
    with pytest.raises(DatabaseError):
        make_engine(url)


def test_an_unusable_data_folder_is_one_line(tmp_path: Path) -> None:
    a_file = tmp_path / "berkas"
    a_file.write_text("")
    done = subprocess.run(
        [sys.executable, "-m", "disdukcapil_desk", "--basedir", str(a_file / "x"), "db", "check"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("galat: folder data tidak dapat dipakai")
    assert "sebagian jalurnya bukan folder" in done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr


def test_db_check_on_a_missing_file_creates_nothing(desk: Desk, tmp_path: Path) -> None:
    missing = tmp_path / "hilang.sqlite3"
    desk.url = f"sqlite:///{missing}"
    assert "tidak ditemukan" in one_error_line(desk("db", "check"))
    assert not missing.exists()


def test_demo_with_a_bad_count(desk: Desk, ctx: DeskContext, db_url: str) -> None:
    before = fingerprint(db_url)
    for count in ("-5", "0", str(MAX_DEMO_REQUESTS + 1)):
        done = as_user(desk, "admin")("demo", "--requests", count)
        assert "Jumlah permohonan demo" in one_error_line(done)
    with pytest.raises(DeskError):
        DemoOps(ctx).generate(-5)
    assert fingerprint(db_url) == before, "not even the demo users"


def test_print_ready_for_an_unknown_office(
    desk: Desk, ctx: DeskContext, users: dict[str, Actor]
) -> None:
    done = as_user(desk, "kasi.dinas")(
        "print-ready", "--location", "NOPE", "-o", str(desk.basedir / "siap.pdf")
    )
    assert one_error_line(done) == "galat: Lokasi 'NOPE' tidak dikenal"
    with pytest.raises(NotFound):
        DocumentOps(ctx).print_ready(users["kasi.dinas"], "NOPE")


# -- the property: every command, bad input, one line, nothing changed -------------------------

KNOWN_LOGINS = {login for login, _, _ in TEST_USERS}
KNOWN_OFFICES = {"DINAS", *(f"UPT-{n:02d}" for n in range(1, 100))}
junk = st.text(st.sampled_from("abcXYZ019/-._ "), min_size=1, max_size=16).filter(
    lambda text: text.strip() and not text.startswith("-")
)
bad_login = st.builds(lambda a, b: f"{a}!{b}", junk, junk)
unknown_login = junk.filter(lambda text: text.strip().lower() not in KNOWN_LOGINS)
unknown_office = junk.filter(lambda text: text.strip().upper() not in KNOWN_OFFICES)
bad_year = st.one_of(st.integers(-(10**6), 1899), st.integers(3000, 10**9))
good_date = st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
far_date = st.one_of(
    st.dates(dt.date(1, 1, 1), dt.date(1899, 12, 31)), st.dates(dt.date(3000, 1, 1))
)
weak_password = st.text(st.sampled_from("abc123"), max_size=7)


def _login_for(door: object) -> str:
    admin_only = {Permission.MANAGE_USERS, Permission.MANAGE_OFFICE}
    return "admin" if door in admin_only else "kasi.dinas"


Case = tuple[list[str], str]
"""An argument list and what standard input holds after the login's password."""


def case(
    template: str, *values: st.SearchStrategy[object], stdin: str = ""
) -> st.SearchStrategy[Case]:
    """A command from ``template``: each ``{}`` word is the next drawn value (spaces and all)."""
    words = template.split()

    def build(*drawn: object) -> Case:
        filled = iter(drawn)
        return [str(next(filled)) if word == "{}" else word for word in words], stdin

    return st.builds(build, *values)


def bad_commands(out: Path, missing: Path) -> st.SearchStrategy[Case]:
    """Commands given input that cannot work: unknown numbers, offices, services, users; years
    and counts out of range; files that are not there; outputs into a missing folder."""
    to = st.sampled_from([str(missing / "x.pdf"), str(out)])  # a missing folder, a folder
    number = junk  # the test database has no requests: every number is unknown
    pdf = str(out / "x.pdf")
    new_password = "sandi-baru-123\n"
    periods = st.one_of(
        st.tuples(far_date, good_date),
        st.tuples(good_date, far_date),
        st.tuples(good_date, good_date).filter(lambda d: d[0] > d[1]),
    )
    return st.one_of(
        case("show {}", number),
        case("receipt {} -o {}", number, st.one_of(to, st.just(pdf))),
        case("certificate {} -o {}", number, st.one_of(to, st.just(pdf))),
        case("print-ready --location {} -o " + pdf, unknown_office),
        case("print-ready --location DINAS -o {}", to),
        case("public-key -o {}", to),
        case("verify {}", junk.map(lambda f: missing / f.strip())),
        case("signing set {}", junk.map(lambda f: missing / f.strip()), stdin="x\n"),
        case("number offset --service {} --year {} --offset 1", junk, st.integers(1900, 2999)),
        case("number offset --service akta_kelahiran --year {} --offset 1", bad_year),
        case(
            "number offset --service akta_kelahiran --year 2027 --offset {}",
            st.integers(-(10**9), -1),
        ),
        case("recap --from {} --to {} -o " + str(out / "r.xlsx"), *_split(periods)),
        case(
            "recap --from 2026-11-01 --to 2026-11-30 --location {} -o " + str(out / "r.pdf"),
            unknown_office.filter(lambda c: c.strip().lower() != "all"),
        ),
        case(
            "recap --from 2026-11-01 --to 2026-11-30 -o {}",
            st.sampled_from([str(missing / "r.xlsx"), str(out), str(out / "r.txt")]),
        ),
        case(
            "demo --requests {}",
            st.one_of(st.integers(-(10**9), 0), st.integers(MAX_DEMO_REQUESTS + 1, 10**12)),
        ),
        case("user add {} --role operator", bad_login, stdin=new_password),
        weak_password.map(
            lambda p: (["user", "add", "baru.sekali", "--role", "operator"], p + "\n")
        ),
        case(
            "user add baru.sekali --role operator --location {}", unknown_office, stdin=new_password
        ),
        case("user add loket.dinas --role operator", stdin=new_password),
        case(
            "user {} {}",
            st.sampled_from(["passwd", "unlock", "deactivate", "activate"]),
            unknown_login,
            stdin=new_password,
        ),
        case("user set-role {} --role operator", unknown_login),
        case("user set-role loket.dinas --role operator --location {}", unknown_office),
        weak_password.map(lambda p: (["password"], p + "\n")),
    )


def _split(
    pairs: st.SearchStrategy[tuple[dt.date, dt.date]],
) -> tuple[st.SearchStrategy[object], ...]:
    """One strategy drawn twice would not give a pair; draw the pair once, shared by both."""
    shared = st.shared(pairs, key="period")
    return shared.map(lambda d: d[0].isoformat()), shared.map(lambda d: d[1].isoformat())


def _not_a(kind: Callable[[str], object]) -> Callable[[str], bool]:
    def refused(text: str) -> bool:
        try:
            kind(text)
        except ValueError:
            return True
        return False

    return refused


not_int = junk.filter(_not_a(int))
not_date = junk.filter(_not_a(dt.date.fromisoformat))


def usage_errors() -> st.SearchStrategy[list[str]]:
    """Argument lists argparse itself refuses: an unknown option, a value of the wrong kind."""
    words = sorted(leaf_commands())
    command = st.sampled_from(words).map(list)
    return st.one_of(
        st.builds(lambda c, o: [*c, f"--zz{o.replace(' ', '')}"], command, junk),
        st.builds(lambda v: ["demo", "--requests", v], not_int),
        st.builds(
            lambda v: ["number", "offset", "--service", "x", "--year", v, "--offset", "1"], not_int
        ),
        st.builds(lambda v: ["recap", "--from", v, "--to", "2026-11-30", "-o", "r.xlsx"], not_date),
        st.builds(lambda v: ["user", "set-role", "loket.dinas", "--role", v], junk),
        st.builds(
            lambda v: ["intake", "requeue", v], st.one_of(not_int, st.integers(-99, 0).map(str))
        ),
        st.sampled_from(
            [["user", "add"], ["recap"], ["print-ready"], ["number", "offset"], ["db"]]
        ),
    )


def test_every_command_given_bad_input_says_one_line_and_changes_nothing(
    db_url: str,
    db_kind: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = Desk(db_url, tmp_path / "desk", capsys, monkeypatch)
    out = tmp_path / "out"
    out.mkdir()
    missing = tmp_path / "tidak-ada"
    doors = {
        " ".join(words): parser.get_default("door") for words, parser in leaf_commands().items()
    }
    before = fingerprint(db_url)
    examples = 80 if db_kind == "sqlite" else 40

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(bad_commands(out, missing))
    def refused(case: tuple[list[str], str]) -> None:
        argv, stdin = case
        words = " ".join(argv[:2]) if " ".join(argv[:2]) in doors else argv[0]
        done = desk(*argv, stdin=stdin, login=_login_for(doors[words]), password=TEST_PASSWORD)
        one_error_line(done)
        assert fingerprint(db_url) == before, (argv, done.err)
        assert list(out.iterdir()) == [] and not missing.exists(), argv

    @settings(max_examples=examples // 2, deadline=None, database=None)
    @given(usage_errors())
    def usage(argv: list[str]) -> None:
        done = desk(*argv)
        lines = done.err_lines
        assert done.code == 2 and "Traceback" not in done.err, (argv, done.err)
        assert ": galat: " in lines[-1] and all("galat" not in line for line in lines[:-1]), lines
        assert lines[0].startswith("penggunaan: "), lines
        assert fingerprint(db_url) == before

    refused()
    usage()
