"""The desk's dependencies, built once by the composition root and shared by every operation."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from disdukcapil_desk.db.engine import is_postgresql, make_engine, make_sessionmaker
from disdukcapil_desk.db.errors import classify, classify_known
from disdukcapil_desk.db.repositories import server as server_repo
from disdukcapil_desk.domain.catalogue import Catalogue, load_catalogue
from disdukcapil_desk.domain.citizen_messages import MessageTemplates, load_message_templates
from disdukcapil_desk.domain.clock import utc_now
from disdukcapil_desk.domain.documents import (
    CertificateTemplate,
    check_template_services,
    load_templates,
)
from disdukcapil_desk.domain.intake import IntakeRules
from disdukcapil_desk.domain.names import NameRules, check_name_fields, load_name_rules
from disdukcapil_desk.domain.nik import NikRules
from disdukcapil_desk.domain.payload import DEFAULT_LIMITS, PayloadLimits
from disdukcapil_desk.domain.sla import HolidayCalendar, load_holidays
from disdukcapil_desk.domain.wilayah import Wilayah, load_region_codes, load_wilayah
from disdukcapil_desk.operations.audit_key import load_key, workstation_key_file
from disdukcapil_desk.paths import resource_path

DEFAULT_LEASE = dt.timedelta(minutes=15)
_NOW_KEY = "desk_now"


@contextmanager
def _translate_database_errors(engine: Engine) -> Iterator[None]:
    """Turn the driver's errors into the domain's: locked, read-only, disk, missing, network."""
    try:
        yield
    except (OperationalError, InterfaceError) as exc:
        raise classify(exc, engine.url) from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise classify(exc, engine.url) from exc
        known = classify_known(exc, engine.url)  # a read-only role, a missing privilege
        if known is None:
            raise
        raise known from exc


def _forget_now(session: Session, transaction: SessionTransaction) -> None:
    """A new transaction asks the server again."""
    if transaction.parent is None:
        session.info.pop(_NOW_KEY, None)


@dataclass(frozen=True)
class ReferenceData:
    """Reference data loaded from ``resources/``: catalogue, wilayah, NIK rules, holidays,
    message and certificate templates.
    """

    catalogue: Catalogue
    wilayah: Wilayah
    nik_rules: NikRules
    calendar: HolidayCalendar
    messages: MessageTemplates
    certificates: Mapping[str, CertificateTemplate] = field(default_factory=dict)
    """The certificate templates by service code; a service without one issues no certificate."""
    payload_limits: PayloadLimits = DEFAULT_LIMITS
    """What one intake payload may hold (``intake/limits.json``)."""
    name_rules: NameRules | None = None
    """How a name is written (``names/rules.json``); None checks no name."""

    @property
    def intake_rules(self) -> IntakeRules:
        """The rules intake checks rows against."""
        return IntakeRules(
            self.catalogue, self.wilayah, self.nik_rules, self.payload_limits, self.name_rules
        )


def load_reference_data(root: Path | None = None) -> ReferenceData:
    """Load the reference data from ``root`` (default: the bundled ``resources/``)."""

    def locate(relative: str) -> Path:
        return root / relative if root is not None else resource_path(relative)

    wilayah = load_wilayah(locate("wilayah/wilayah_3604.json"))
    regions = load_region_codes(locate("wilayah/regencies.json"))
    catalogue = load_catalogue(locate("catalogue/services.json"))
    certificates = load_templates(locate("templates/certificates.json"))
    check_template_services(certificates, catalogue)
    name_rules = load_name_rules(locate("names/rules.json"))
    check_name_fields(name_rules, catalogue)
    return ReferenceData(
        catalogue=catalogue,
        wilayah=wilayah,
        nik_rules=NikRules(regions, home_regency=wilayah.kabupaten_code),
        calendar=load_holidays(locate("holidays.json")),
        messages=load_message_templates(locate("templates/messages.json")),
        certificates=certificates,
        payload_limits=PayloadLimits.from_mapping(
            json.loads(locate("intake/limits.json").read_text(encoding="utf-8"))
        ),
        name_rules=name_rules,
    )


@dataclass
class DeskContext:
    """Engine, session factory, reference data and clock: what every operation needs.

    Time: :meth:`now` is what orders and expires things (leases, audit entries, received and
    updated times, the date and yearly series of a registration number). On PostgreSQL it is
    the server's, read once per transaction, so every workstation agrees whatever its own clock
    says; on SQLite (one workstation) it is ``clock``. ``server_clock`` stands in for the
    server's clock in tests (a ``FakeClock``); None asks PostgreSQL.
    """

    engine: Engine
    reference: ReferenceData
    clock: Callable[[], dt.datetime] = utc_now
    """This workstation's clock."""
    lease: dt.timedelta = DEFAULT_LEASE
    server_clock: Callable[[], dt.datetime] | None = None
    audit_key_file: Path | None = None
    """Where this workstation keeps the office's audit key (None: it writes without a key)."""
    key_folder: Path | None = None
    """Where this OS user keeps the document keys (None: the data folder's ``kunci-dokumen``)."""
    key_custody: object | None = None
    """Who seals and signs (a ``KeyCustody``; None: chosen by ``custody_for``)."""
    before_commit: list[Callable[[Session], None]] = field(default_factory=list)
    """Called with the session at the end of every :meth:`unit_of_work`, inside its
    transaction, before it commits; a hook that raises rolls the action back. The offline
    journal and the sync's record of applied entries are written this way, in the transaction
    of the change they record.
    """
    request_numbers: Callable[[Session, str, dt.date], int] | None = None
    """Where a walk-in's request number is drawn: called with the session, the office and the
    day inside the walk-in's transaction. None: the office's counter of that day (online); the
    local copy draws from the workstation's reserved blocks (``offline/numbers.py``).
    """
    sessions: sessionmaker[Session] = field(init=False)
    read_sessions: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Build the session factories (one for changes, one for reading only)."""
        self.sessions = make_sessionmaker(self.engine)
        self.read_sessions = make_sessionmaker(self.engine, read_only=True)
        for factory in (self.sessions, self.read_sessions):
            event.listen(factory, "after_transaction_end", _forget_now)

    def now(self, session: Session) -> dt.datetime:
        """The time of ``session``'s transaction: the server's on PostgreSQL (asked once per
        transaction and kept on the session), this workstation's clock on SQLite.
        """
        if not self.postgresql:
            return self.clock()
        cached = session.info.get(_NOW_KEY)
        if cached is None:
            cached = self.server_now(session)
            session.info[_NOW_KEY] = cached
        return cached

    def server_now(self, session: Session) -> dt.datetime:
        """Ask the server for the time now (PostgreSQL's ``clock_timestamp()``)."""
        if self.server_clock is not None:
            return self.server_clock()
        return server_repo.clock(session)

    @classmethod
    def open(
        cls,
        url: str,
        reference: ReferenceData | None = None,
        *,
        password: str | None = None,
        create: bool = False,
    ) -> DeskContext:
        """Connect to ``url`` with the bundled reference data.

        ``password`` is for a server whose password is not in the URL nor the libpq file.
        ``create``: a missing SQLite file may be created (``db init``, a new database the
        officer chose); otherwise it is an error that names the file.
        """
        connect_args = {"password": password} if password and url.startswith("postgres") else {}
        engine = make_engine(url, create=create, connect_args=connect_args)
        return cls(
            engine, reference or load_reference_data(), audit_key_file=workstation_key_file()
        )

    def audit_key(self) -> bytes | None:
        """The office's audit key if this workstation holds it (read from its file each time,
        so a key copied in later is used at once).

        Raises:
            DeskError: the key file exists but cannot be read.
        """
        return load_key(self.audit_key_file)

    @property
    def postgresql(self) -> bool:
        """Whether the database is PostgreSQL."""
        return is_postgresql(self.engine)

    @property
    def database_label(self) -> str:
        """The database URL with any password hidden, for screens and logs."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction for one user action: committed on success, rolled back on error.

        Raises:
            DatabaseError: the database could not be used (a :class:`ConnectionLost`, a locked,
                read-only, failing or missing file…); nothing was saved.
        """
        with _translate_database_errors(self.engine), self.sessions.begin() as session:
            yield session
            for hook in self.before_commit:
                hook(session)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reading only (its transaction is rolled back at the end).

        On SQLite its transaction begins deferred: a long read (a search, a recap) works on its
        snapshot and never blocks a colleague's write.

        Raises:
            DatabaseError: the database could not be used.
        """
        with _translate_database_errors(self.engine), self.read_sessions() as session:
            yield session

    def add_checkout_guard(self, guard: Callable[[], None]) -> Callable[[], None]:
        """Call ``guard()`` whenever a connection is taken from the pool; it may raise to refuse.

        The window uses it to make sure it reaches the database only through its task runner.
        Returns a function that removes the guard again.
        """

        def on_checkout(*_args: object) -> None:
            guard()

        event.listen(self.engine, "checkout", on_checkout)
        return lambda: event.remove(self.engine, "checkout", on_checkout)

    def database_errors(self) -> AbstractContextManager[None]:
        """Translate driver errors of direct engine work (schema checks) like sessions do."""
        return _translate_database_errors(self.engine)

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()
