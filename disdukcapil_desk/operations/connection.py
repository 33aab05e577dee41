"""Which database a workstation uses, and testing a connection before saving it."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL, text
from sqlalchemy.exc import SQLAlchemyError

from disdukcapil_desk.db.engine import make_engine, sqlite_url
from disdukcapil_desk.db.schema import database_version
from disdukcapil_desk.domain.errors import DeskError

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


@dataclass(frozen=True, slots=True)
class DatabaseConfig:
    """A workstation's database: the local SQLite file, or the office's PostgreSQL server.

    The PostgreSQL password is never kept here: it goes to the standard libpq password file
    (``~/.pgpass``, ``%APPDATA%\\postgresql\\pgpass.conf``), readable by this user only.
    """

    kind: str = SQLITE
    host: str = ""
    port: int = 5432
    name: str = "disdukcapil"
    user: str = "desk"

    def url(self, sqlite_file: Path) -> str:
        """Return the SQLAlchemy URL (without password)."""
        if self.kind == SQLITE:
            return sqlite_url(sqlite_file)
        return URL.create(
            "postgresql+psycopg",
            username=self.user,
            host=self.host,
            port=self.port,
            database=self.name,
        ).render_as_string(hide_password=False)

    def problem(self) -> str | None:
        """Return what is missing (Indonesian), or None when the config is usable."""
        if self.kind not in (SQLITE, POSTGRESQL):
            return f"Jenis basis data tidak dikenal: {self.kind}"
        if self.kind == POSTGRESQL:
            if not self.host.strip():
                return "Alamat server PostgreSQL belum diisi"
            if not self.name.strip() or not self.user.strip():
                return "Nama basis data dan pengguna wajib diisi"
            if not 0 < self.port < 65536:
                return "Port harus antara 1 dan 65535"
        return None


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What a connection test found."""

    server: str
    schema_version: int | None


def probe_database(url: str, password: str | None = None) -> ProbeResult:
    """Connect once and report the server and schema version ("Uji koneksi").

    Raises:
        DeskError: the database cannot be reached, with the server's reason.
    """
    engine = make_engine(url, connect_args=_password_args(url, password))
    try:
        with engine.connect() as conn:
            server = str(conn.execute(text(_VERSION_SQL[engine.dialect.name])).scalar())
        return ProbeResult(server.split(" on ")[0], database_version(engine))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise DeskError(f"Tidak dapat terhubung: {reason}") from None
    finally:
        engine.dispose()


_VERSION_SQL = {"sqlite": "select 'SQLite ' || sqlite_version()", "postgresql": "select version()"}


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
