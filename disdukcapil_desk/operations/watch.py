"""Hearing about queue changes from other workstations, as they happen (operations layer).

On PostgreSQL a background thread LISTENs on the queue channel with its own connection and
calls back with the location whose queue changed; it reconnects after a lost connection. On
SQLite (one workstation) there is nothing to hear and ``available`` is False: the window polls.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import make_url

from disdukcapil_desk.db.repositories import notify
from disdukcapil_desk.operations.context import DeskContext

log = logging.getLogger("disdukcapil_desk.watch")
RECONNECT_S = 5.0


class QueueWatcher:
    """Calls ``on_change(location_code)`` from a background thread when a queue changes."""

    def __init__(self, ctx: DeskContext, on_change: Callable[[str], None]) -> None:
        """Prepare; nothing runs until ``start``."""
        self._ctx, self._on_change = ctx, on_change
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()

    @property
    def available(self) -> bool:
        """Whether the database can push changes (PostgreSQL)."""
        return self._ctx.postgresql

    def start(self) -> bool:
        """Start listening; returns False when the database cannot push changes."""
        if not self.available or self._thread is not None:
            return self._thread is not None
        self._thread = threading.Thread(target=self._run, name="desk-listen", daemon=True)
        self._thread.start()
        return True

    def stop(self) -> None:
        """Stop listening and wait for the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _conninfo(self) -> str:
        url = make_url(self._ctx.engine.url.render_as_string(hide_password=False))
        parts: dict[str, str | int | None] = {
            "host": url.host,
            "port": url.port,
            "dbname": url.database,
            "user": url.username,
            "password": url.password,
            "connect_timeout": 5,
        }
        return psycopg.conninfo.make_conninfo("", **{k: v for k, v in parts.items() if v})

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except psycopg.Error as exc:
                self.listening.clear()
                log.warning("queue listener lost its connection: %s", exc)
                self._stop.wait(RECONNECT_S)

    def _listen(self) -> None:
        with psycopg.connect(self._conninfo(), autocommit=True) as conn:
            notify.listen(conn)
            self.listening.set()
            while not self._stop.is_set():
                for note in conn.notifies(timeout=1.0):
                    self._on_change(note.payload)
