"""Background work for the window: one database worker, results delivered on the GUI thread.

The runner is the window's only door to the database. :func:`guard_database_access` is
installed on the desk's connection pool (``DeskContext.add_checkout_guard``): a connection
taken for code of ``ui/`` outside the runner's work raises :class:`DatabaseOutsideRunner`, in
the tests and on a workstation alike, so a database call on the GUI thread cannot slip in.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from disdukcapil_desk.domain.dto import Changes
from disdukcapil_desk.ui.changes import ChangeBus, collecting, merged

log = logging.getLogger("disdukcapil_desk.ui.tasks")

T = TypeVar("T")
V = TypeVar("V")
Failure = Callable[[BaseException], object]

_UI_DIR = str(Path(__file__).resolve().parent)
_state = threading.local()
# The runner itself, and the session: the operations' door, which widgets reach through the
# runner (a widget calling the session on the GUI thread is still caught by its own frame).
_DOOR_FILES = frozenset({"tasks.py", "session.py"})


class DatabaseOutsideRunner(RuntimeError):
    """Code of the window reached the database without going through the task runner."""


@contextmanager
def runner_work() -> Iterator[None]:
    """Mark the current thread as doing the runner's work (database access allowed)."""
    previous = getattr(_state, "inside", False)
    _state.inside = True
    try:
        yield
    finally:
        _state.inside = previous


def guard_database_access() -> None:
    """Refuse a database connection taken for ``ui/`` code outside the runner's work.

    Called when a connection is checked out of the pool. Code outside ``ui/`` (the command
    line, tests preparing data) is not concerned.
    """
    if getattr(_state, "inside", False):
        return
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(_UI_DIR) and Path(filename).name not in _DOOR_FILES:
            where = f"{Path(filename).name}:{frame.f_lineno} ({frame.f_code.co_name})"
            raise DatabaseOutsideRunner(
                f"database reached from the window outside the task runner: {where}"
            )
        frame = frame.f_back


class _Relay(QObject):
    """Lives on the GUI thread; a signal emitted from the worker is queued to it."""

    done = Signal(object)

    @Slot(object)
    def deliver(self, delivery: Callable[[], object]) -> None:
        delivery()


class TaskRunner:
    """Run database work on a single worker thread (work is serialised, like the database is).

    Success and failure callbacks run on the GUI thread, so they may touch widgets. What the
    work changed (the session notes it, see ``ui/changes.py``) is published on :attr:`changes`
    right after the callback, on success and on failure alike (a call may have changed
    something before it failed).
    """

    def __init__(self, changes: ChangeBus | None = None) -> None:
        """Start the worker lazily; the relay must be created on the GUI thread."""
        self.changes = changes or ChangeBus()
        """The window's one broadcast of what changed."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-db")
        self._relay = _Relay()
        self._relay.done.connect(self._relay.deliver)
        self._pending = 0
        self._lock = threading.Lock()
        self._closed = False

    def run(
        self,
        work: Callable[[], T],
        on_success: Callable[[T], object],
        on_failure: Failure | None = None,
    ) -> Future[T]:
        """Run ``work()`` in the worker; then ``on_success(result)`` or ``on_failure(error)``.

        After :meth:`shutdown` (the desk is closing) nothing runs: a timer that fires late
        gets a cancelled future instead of an error in the event loop.
        """
        if self._closed:
            log.debug("task dropped: the runner has stopped")
            dropped: Future[T] = Future()
            dropped.cancel()
            return dropped
        with self._lock:
            self._pending += 1
        noted: list[Changes] = []
        future = self._executor.submit(_as_runner_work, work, noted)

        def finished(done: Future[T]) -> None:
            error = done.exception()
            changes = merged(noted)
            if error is None:
                self._relay.done.emit(self._delivery(on_success, done.result(), changes))
            elif on_failure is not None:
                self._relay.done.emit(self._delivery(on_failure, error, changes, error))
            else:
                log.error("background task failed", exc_info=error)
                self._relay.done.emit(self._delivery(_ignore, error, changes, error))

        future.add_done_callback(finished)
        return future

    def _delivery(
        self,
        callback: Callable[[V], object],
        value: V,
        changes: Changes,
        error: BaseException | None = None,
    ) -> Callable[[], None]:
        """``callback(value)`` then the changes' broadcast (and the failure's, if ``error``),
        to run on the GUI thread.
        """

        def deliver() -> None:
            try:
                callback(value)
            finally:
                try:
                    self.changes.publish(changes)
                    if error is not None:
                        self.changes.failed.emit(error)
                finally:
                    with self._lock:
                        self._pending -= 1

        return deliver

    @property
    def busy(self) -> bool:
        """Whether work or its callback is still to come."""
        with self._lock:
            return self._pending > 0

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Process events until every task ran and its callback was delivered (tests, exit)."""
        import time

        deadline = time.monotonic() + timeout
        while self.busy and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.002)
        return not self.busy

    def shutdown(self) -> None:
        """Wait for the running task and stop the worker."""
        self._closed = True
        self._executor.shutdown(wait=True, cancel_futures=True)


def _ignore(_error: BaseException) -> None:
    """A failure nobody asked about (it was logged)."""


def _as_runner_work(work: Callable[[], T], noted: list[Changes]) -> T:
    """Run ``work`` as the runner's, keeping what it changed in ``noted``."""
    with runner_work(), collecting() as collected:
        try:
            return work()
        finally:
            noted.extend(collected)


class InlineTaskRunner(TaskRunner):
    """Runs work at once on the calling thread: for tests, where order must be deterministic."""

    def __init__(self, changes: ChangeBus | None = None) -> None:
        """No worker thread at all."""
        self.changes = changes or ChangeBus()
        self._pending = 0
        self._lock = threading.Lock()

    def run(
        self,
        work: Callable[[], T],
        on_success: Callable[[T], object],
        on_failure: Failure | None = None,
    ) -> Future[T]:
        """Run ``work()`` now and call the matching callback."""
        future: Future[T] = Future()
        noted: list[Changes] = []
        try:
            result = _as_runner_work(work, noted)
        except Exception as exc:  # handed to on_failure, like the threaded runner does
            future.set_exception(exc)
            try:
                if on_failure is None:
                    raise
                on_failure(exc)
            finally:
                self.changes.publish(merged(noted))
                self.changes.failed.emit(exc)
        else:
            future.set_result(result)
            try:
                on_success(result)
            finally:
                self.changes.publish(merged(noted))
        return future

    def shutdown(self) -> None:
        """Nothing to stop."""
