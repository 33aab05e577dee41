"""Which database a workstation uses, and testing a connection before saving it."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from disdukcapil_desk.db.engine import PG_CONNECT_TIMEOUT_S, make_engine
from disdukcapil_desk.db.errors import classify
from disdukcapil_desk.db.repositories.server import version_text
from disdukcapil_desk.db.schema import database_version
from disdukcapil_desk.domain.database import DEFAULT_PG_PORT, POSTGRESQL, SQLITE, DatabaseConfig

PROBE_TIMEOUT_S = PG_CONNECT_TIMEOUT_S
"""How long "Uji koneksi" waits for a server (libpq counts whole seconds, at least 2)."""

__all__ = [
    "POSTGRESQL",
    "PROBE_TIMEOUT_S",
    "SQLITE",
    "DatabaseConfig",
    "ProbeResult",
    "describe_database",
    "pgpass_path",
    "probe_database",
    "sqlite_file_missing",
    "store_password",
]


def describe_database(url: str) -> str:
    """Name a database for the console, never its password.

    ``PostgreSQL db.kantor:5432/disdukcapil`` or ``SQLite /home/ani/.../disdukcapil-desk.sqlite3``.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "alamat tidak dapat dibaca"
    if parsed.get_backend_name() == "sqlite":
        where = parsed.database or ":memory:"
        return f"SQLite {where}"
    if parsed.get_backend_name() == "postgresql":
        host = parsed.host or "localhost"
        return f"PostgreSQL {host}:{parsed.port or DEFAULT_PG_PORT}/{parsed.database or ''}"
    return f"{parsed.get_backend_name()} {parsed.render_as_string(hide_password=True)}"


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What a connection test found."""

    server: str
    schema_version: int | None


def probe_database(
    url: str, password: str | None = None, *, timeout_s: float = PROBE_TIMEOUT_S
) -> ProbeResult:
    """Connect once and report the server and schema version ("Uji koneksi").

    A SQLite file must exist (a new one is created only on the officer's explicit choice);
    a server that does not answer within ``timeout_s`` seconds is given up.

    Raises:
        DatabaseError: the database cannot be used, in Indonesian, with the driver's text in
            ``detail``.
    """
    connect_args: dict[str, object] = dict(_password_args(url, password))
    seconds = max(2, round(timeout_s))
    if not url.startswith("sqlite"):
        connect_args["connect_timeout"] = seconds
    engine = make_engine(url, create=False, connect_args=connect_args)
    try:
        with engine.connect() as conn:
            server = version_text(conn)
        return ProbeResult(server.split(" on ")[0], database_version(engine))
    except SQLAlchemyError as exc:
        raise classify(exc, engine.url, timeout_s=seconds) from None
    finally:
        engine.dispose()


def sqlite_file_missing(url: str) -> Path | None:
    """The SQLite file ``url`` names when it does not exist yet (None: it exists, or a server)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database).expanduser().absolute()
    return None if path.exists() else path


def _password_args(url: str, password: str | None) -> dict[str, str]:
    return {"password": password} if password and url.startswith("postgresql") else {}


def pgpass_path() -> Path:
    """Return libpq's password file of this user (honours ``PGPASSFILE``)."""
    if os.environ.get("PGPASSFILE"):
        return Path(os.environ["PGPASSFILE"])
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", "~")).expanduser() / "postgresql" / "pgpass.conf"
    return Path.home() / ".pgpass"


def store_password(config: DatabaseConfig, password: str, path: Path | None = None) -> Path:
    """Write (or replace) the password line for ``config`` in the libpq password file."""
    target = path or pgpass_path()
    key = f"{_escape(config.host)}:{config.port}:{_escape(config.name)}:{_escape(config.user)}:"
    lines = target.read_text(encoding="utf-8").splitlines() if target.exists() else []
    lines = [line for line in lines if not line.startswith(key)]
    lines.append(key + _escape(password))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target.chmod(0o600)
    return target


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")
