"""Which database a workstation uses: the local SQLite file or the office's PostgreSQL server.

Pure data: the settings file keeps it, the window and the command line read it, operations
open it. The PostgreSQL password is never part of it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
DEFAULT_PG_PORT = 5432


@dataclass(frozen=True, slots=True)
class DatabaseConfig:
    r"""A workstation's database: the local SQLite file, or the office's PostgreSQL server.

    The PostgreSQL password is never kept here: it goes to the standard libpq password file
    (``~/.pgpass``, ``%APPDATA%\postgresql\pgpass.conf``), readable by this user only.
    """

    kind: str = SQLITE
    host: str = ""
    port: int = DEFAULT_PG_PORT
    name: str = "disdukcapil"
    user: str = "desk"

    def url(self, sqlite_file: Path) -> str:
        """Return the SQLAlchemy URL (without password); SQLite is the file ``sqlite_file``."""
        if self.kind == SQLITE:
            return f"sqlite+pysqlite:///{sqlite_file}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return (
            f"postgresql+psycopg://{quote(self.user, safe='')}@{host}:{self.port}"
            f"/{quote(self.name, safe='')}"
        )

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


class DatabaseSource(enum.StrEnum):
    """Where the database of a run was chosen, strongest first."""

    OPTION = "option"
    ENVIRONMENT = "environment"
    WORKSTATION = "workstation"
    DEFAULT = "default"

    @property
    def label(self) -> str:
        """Indonesian words for the console."""
        return _SOURCE_LABELS[self]


_SOURCE_LABELS = {
    DatabaseSource.OPTION: "opsi --db",
    DatabaseSource.ENVIRONMENT: "variabel DISDUKCAPIL_DB",
    DatabaseSource.WORKSTATION: "setelan workstation",
    DatabaseSource.DEFAULT: "berkas lokal bawaan",
}


@dataclass(frozen=True, slots=True)
class DatabaseChoice:
    """The database URL a run uses and where that choice came from."""

    url: str
    source: DatabaseSource


def choose_database(
    option: str | None,
    environment: str | None,
    workstation: DatabaseConfig | None,
    sqlite_file: Path,
) -> DatabaseChoice:
    """Pick the database: ``--db`` > ``$DISDUKCAPIL_DB`` > the workstation's choice > SQLite.

    Args:
        option: the ``--db`` URL, if given.
        environment: the ``DISDUKCAPIL_DB`` variable, if set.
        workstation: the database saved in the workstation settings (None: never chosen).
        sqlite_file: the default local SQLite file (also what a saved "SQLite" choice means).
    """
    if option:
        return DatabaseChoice(option, DatabaseSource.OPTION)
    if environment:
        return DatabaseChoice(environment, DatabaseSource.ENVIRONMENT)
    if workstation is not None:
        return DatabaseChoice(workstation.url(sqlite_file), DatabaseSource.WORKSTATION)
    return DatabaseChoice(DatabaseConfig().url(sqlite_file), DatabaseSource.DEFAULT)
