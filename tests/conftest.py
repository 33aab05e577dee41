"""Shared fixtures: offscreen Qt, temp folders, fresh SQLite and PostgreSQL databases."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# The window tests run on an offscreen screen the size of the office's common laptop.
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    _screen = Path(__file__).resolve().parent / "data" / "offscreen-laptop.json"
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_screen}"

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from disdukcapil_desk.db.engine import make_engine, sqlite_url
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.workflow import Role
from disdukcapil_desk.operations.context import DeskContext, ReferenceData, load_reference_data
from disdukcapil_desk.operations.setup import ADMIN_SETUP_ACTOR, SetupOps
from disdukcapil_desk.operations.users import UserOps

PG_ENV = "DISDUKCAPIL_TEST_PG"
# The suite's databases keep their document keys in the test's own folder, on PostgreSQL too;
# the signing service itself is tested in tests/integration/test_key_custody.py.
os.environ.setdefault("DISDUKCAPIL_SIGNER", "lokal")
RESOURCES = Path(__file__).resolve().parents[1] / "resources"
TEST_PASSWORD = "rahasia123"
# Users present in every test database: (login, role, location).
TEST_USERS = (
    ("admin", Role.ADMIN, "DINAS"),
    ("loket.dinas", Role.COUNTER, "DINAS"),
    ("loket2.dinas", Role.COUNTER, "DINAS"),
    ("loket.upt05", Role.COUNTER, "UPT-05"),
    ("operator.dinas", Role.VERIFIER, "DINAS"),
    ("kasi.dinas", Role.SECTION_HEAD, "DINAS"),
)
T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)  # Monday 09:00 WIB


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime = T0) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests that use Qt as ``gui`` and those on PostgreSQL as ``postgres``."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "qtbot" in fixtures or "qapp" in fixtures:
            item.add_marker(pytest.mark.gui)
        if "[postgresql" in item.nodeid:
            item.add_marker(pytest.mark.postgres)


def postgres_url() -> str | None:
    """The admin URL of the test PostgreSQL server; in CI its absence is an error."""
    url = os.environ.get(PG_ENV)
    if not url and os.environ.get("CI"):
        pytest.fail(f"{PG_ENV} is not set in CI: the PostgreSQL tests must run there")
    return url


@pytest.fixture(scope="session")
def reference() -> ReferenceData:
    """The bundled reference data, loaded once."""
    return load_reference_data(RESOURCES)


@dataclass
class Template:
    """A prepared database (schema, master data, test users) that tests copy."""

    kind: str
    location: str


def _prepare(url: str, reference: ReferenceData) -> None:
    ctx = DeskContext(make_engine(url), reference)
    SetupOps(ctx).init()
    users = UserOps(ctx)
    for login, role, location in TEST_USERS:
        users.add(
            ADMIN_SETUP_ACTOR,
            login,
            TEST_PASSWORD,
            role,
            location_code=location,
            full_name=login.replace(".", " ").title(),
        )
    ctx.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, reference: ReferenceData) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _prepare(sqlite_url(path), reference)
    return path


@pytest.fixture(scope="session")
def pg_template(reference: ReferenceData) -> Iterator[str]:
    admin_url = postgres_url()
    if not admin_url:
        pytest.skip(f"{PG_ENV} not set: no PostgreSQL server for this run")
    name = f"desk_tmpl_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(False)
    _prepare(url, reference)
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def fresh_database_url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return the URL of a new database copied from the template of ``kind``."""
    if kind == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "desk.sqlite3"
        shutil.copy(template, target)
        return sqlite_url(target)
    template_name: str = request.getfixturevalue("pg_template")
    admin_url = postgres_url()
    assert admin_url
    name = f"desk_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    request.addfinalizer(drop)
    return make_url(admin_url).set(database=name).render_as_string(False)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_kind(request: pytest.FixtureRequest) -> str:
    """Each database test runs on SQLite and on PostgreSQL."""
    return str(request.param)


@pytest.fixture
def db_url(db_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database (schema, master data, test users) of the parametrised kind."""
    return fresh_database_url(db_kind, request, tmp_path)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ctx(
    db_url: str, reference: ReferenceData, clock: FakeClock, tmp_path: Path
) -> Iterator[DeskContext]:
    context = DeskContext(
        make_engine(db_url),
        reference,
        clock=clock,
        server_clock=clock,
        key_folder=tmp_path / "kunci-dokumen",
    )
    yield context
    context.close()


@pytest.fixture
def users(ctx: DeskContext) -> dict[str, Actor]:
    """The test users as actors, by login."""
    ops = UserOps(ctx)
    return {login: ops.actor(login) for login, _, _ in TEST_USERS}


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts connections and never says a word (a server that
    hangs): for time limits."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()
