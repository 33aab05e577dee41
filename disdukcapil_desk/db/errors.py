"""What went wrong with the database, told in Indonesian from the driver's error (db layer).

One place knows the drivers' codes and texts (sqlite3 result codes, PostgreSQL SQLSTATEs and
libpq's connection messages) and turns them into the domain's error types; the raw text stays
in ``detail`` for "Rincian" and the log.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import URL

from disdukcapil_desk.domain.errors import (
    ConnectionLost,
    DatabaseError,
    DatabaseIOError,
    DatabaseLocked,
    DatabaseLoginFailed,
    DatabaseMissing,
    DatabaseReadOnly,
)

# sqlite3 primary result codes (the low byte of an extended code).
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 10, 11, 13, 14, 26
_SQLITE_READONLY_DBMOVED = _SQLITE_READONLY | (4 << 8)

NETWORK_HINT = "Periksa jaringan kantor."

# PostgreSQL SQLSTATEs of a transaction that failed through no fault of its data: deadlock,
# serialization failure, lock not available (lock_timeout), query cancelled (statement_timeout).
_TRANSIENT_STATES = frozenset({"40P01", "40001", "55P03", "57014"})


def is_transient(exc: BaseException) -> bool:
    """Whether a driver error says "try the same transaction again", not "this data is bad".

    A deadlock, a serialization failure, a lock or statement timeout, a busy SQLite file and a
    lost connection are transient; a constraint violation or a value the column refuses is not.
    """
    if getattr(exc, "connection_invalidated", False):
        return True
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", 0) or 0
        return (code & 0xFF) in (_SQLITE_BUSY, _SQLITE_LOCKED)
    state = str(getattr(orig, "sqlstate", "") or "")
    return state in _TRANSIENT_STATES or state.startswith(("08", "57P"))


def database_place(url: URL) -> str:
    """Where the database is, for messages: the SQLite file, or ``host:port/name``."""
    if url.get_backend_name() == "sqlite":
        return str(Path(url.database or "").expanduser().absolute()) if url.database else ""
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def missing_file(path: str) -> DatabaseMissing:
    """The error for a configured SQLite file that is not there (never silently recreated)."""
    return DatabaseMissing(
        f"Berkas basis data tidak ditemukan: {path}. Aplikasi tidak membuat berkas kosong "
        "sebagai gantinya. Bila berkas itu dipindah atau dihapus, kembalikan ke tempatnya; "
        "basis data baru hanya dibuat atas pilihan Anda.",
        where=path,
    )


def driver_text(exc: BaseException) -> str:
    """The driver's own message (SQLAlchemy's wrapper removed), for "Rincian"."""
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip()


def classify(exc: BaseException, url: URL, *, timeout_s: float | None = None) -> DatabaseError:
    """Return the domain error for a driver error raised while using the database at ``url``.

    What no known case matches is a lost connection on a server, a generic failure on SQLite.
    """
    known = classify_known(exc, url, timeout_s=timeout_s)
    if known is not None:
        return known
    where, detail = database_place(url), driver_text(exc)
    if isinstance(getattr(exc, "orig", None) or exc, sqlite3.Error):
        return DatabaseError(
            f"Basis data tidak dapat dipakai: {where}.", detail=detail, where=where
        )
    return ConnectionLost(
        f"Koneksi ke basis data terputus. {NETWORK_HINT}", detail=detail, where=where
    )


def classify_known(
    exc: BaseException, url: URL, *, timeout_s: float | None = None
) -> DatabaseError | None:
    """The domain error for a driver error of a known kind, or None (e.g. a constraint)."""
    orig = getattr(exc, "orig", None) or exc
    where = database_place(url)
    detail = driver_text(exc)
    if isinstance(orig, sqlite3.Error):
        return _classify_sqlite(orig, where, detail)
    return _classify_postgresql(orig, url, where, detail, timeout_s)


def _classify_sqlite(orig: sqlite3.Error, where: str, detail: str) -> DatabaseError | None:
    code = getattr(orig, "sqlite_errorcode", 0) or 0
    primary = code & 0xFF
    if code == _SQLITE_READONLY_DBMOVED:
        return missing_file(where)
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return DatabaseLocked(
            f"Berkas basis data sedang dikunci program lain (database is locked): {where}. "
            "Tunggu sebentar lalu coba lagi; bila berulang, tutup program lain yang membuka "
            "berkas ini (mis. penampil basis data atau pencadangan).",
            detail=detail,
            where=where,
        )
    if primary in (_SQLITE_READONLY, _SQLITE_PERM):
        return DatabaseReadOnly(
            f"Berkas basis data hanya dapat dibaca, perubahan tidak tersimpan: {where}. "
            "Periksa izin tulis berkas dan foldernya (atau media yang dikunci tulis).",
            detail=detail,
            where=where,
        )
    if primary in (_SQLITE_IOERR, _SQLITE_FULL):
        cause = "Disk penuh" if primary == _SQLITE_FULL else "Disk gagal membaca/menulis"
        return DatabaseIOError(
            f"{cause} (disk I/O error) pada berkas basis data {where}. Perubahan terakhir tidak "
            "tersimpan. Periksa ruang kosong dan kondisi disk, lalu coba lagi.",
            detail=detail,
            where=where,
        )
    if primary == _SQLITE_CANTOPEN:
        if where and not Path(where).exists():
            return missing_file(where)
        return DatabaseReadOnly(
            f"Berkas basis data tidak dapat dibuka: {where}. Periksa izin berkas dan foldernya.",
            detail=detail,
            where=where,
        )
    if primary in (_SQLITE_NOTADB, _SQLITE_CORRUPT):
        return DatabaseError(
            f"Berkas {where} bukan basis data Disdukcapil Desk atau rusak. Pulihkan dari "
            "cadangan, atau pilih berkas lain di Pengaturan.",
            detail=detail,
            where=where,
        )
    return None


_HOST_UNKNOWN = (
    "failed to resolve host",
    "could not translate host name",
    "name or service not known",
    "nodename nor servname",
    "no such host is known",
    "temporary failure in name resolution",
    "no address associated",
)
_TIMEOUT = ("timeout expired", "timed out", "connection timeout")


def _classify_postgresql(
    orig: BaseException, url: URL, where: str, detail: str, timeout_s: float | None
) -> DatabaseError | None:
    state = str(getattr(orig, "sqlstate", "") or "")
    text = detail.lower()
    host = url.host or "localhost"
    if any(key in text for key in _HOST_UNKNOWN):
        return ConnectionLost(
            f"Alamat server basis data “{host}” tidak dikenal. Periksa alamat server di "
            "Pengaturan dan jaringan kantor.",
            detail=detail,
            where=where,
        )
    if "connection refused" in text:
        return ConnectionLost(
            f"Server {host} port {url.port or 5432} menolak koneksi: PostgreSQL tidak berjalan "
            "di sana atau port salah. Hubungi administrator server.",
            detail=detail,
            where=where,
        )
    if any(key in text for key in _TIMEOUT):
        seconds = f" dalam {timeout_s:g} detik" if timeout_s else ""
        return ConnectionLost(
            f"Server basis data {host} tidak menjawab{seconds}. {NETWORK_HINT}",
            detail=detail,
            where=where,
        )
    role_unknown = "role " in text and "does not exist" in text
    if state in ("28P01", "28000") or "password authentication failed" in text or role_unknown:
        return DatabaseLoginFailed(
            f"Server menolak pengguna “{url.username or ''}” atau kata sandinya. Periksa "
            "pengguna dan kata sandi di Pengaturan.",
            detail=detail,
            where=where,
        )
    if "no password supplied" in text or "fe_sendauth" in text:
        return DatabaseLoginFailed(
            "Server meminta kata sandi, tetapi belum ada yang tersimpan. Isi kata sandi di "
            "Pengaturan.",
            detail=detail,
            where=where,
        )
    if state == "3D000" or ("database" in text and "does not exist" in text):
        return DatabaseMissing(
            f"Basis data “{url.database or ''}” tidak ada di server {host}. Periksa nama basis "
            "data di Pengaturan, atau minta administrator server membuatnya.",
            detail=detail,
            where=where,
        )
    if state in ("25006", "42501") or "read-only" in text or "permission denied" in text:
        return DatabaseReadOnly(
            f"Pengguna “{url.username or ''}” tidak diizinkan mengubah basis data di {host} "
            "(hanya-baca atau izin kurang). Hubungi administrator server.",
            detail=detail,
            where=where,
        )
    if state in _TRANSIENT_STATES:
        return DatabaseLocked(
            "Basis data sedang sibuk: pekerjaan ini bertabrakan dengan pekerjaan workstation "
            "lain dan dibatalkan tanpa mengubah apa pun. Coba lagi.",
            detail=detail,
            where=where,
        )
    if state.startswith(("08", "57P")) or "server closed the connection" in text:
        return ConnectionLost(
            f"Koneksi ke basis data terputus. {NETWORK_HINT}", detail=detail, where=where
        )
    return None
