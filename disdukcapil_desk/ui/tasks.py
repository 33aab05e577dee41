"""Background work for the window: one database worker, results delivered on the GUI thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger("disdukcapil_desk.ui.tasks")

Success = Callable[[Any], object]
Failure = Callable[[BaseException], object]


class _Relay(QObject):
    """Lives on the GUI thread; a signal emitted from the worker is queued to it."""

    done = Signal(object, object, object)

    @Slot(object, object, object)
    def deliver(self, callback: Callable[[Any], object], value: Any, _unused: Any) -> None:
        callback(value)


class TaskRunner:
    """Run database work on a single worker thread (work is serialised, like the database is).

    Success and failure callbacks run on the GUI thread, so they may touch widgets.
    """

    def __init__(self) -> None:
        """Start the worker lazily; the relay must be created on the GUI thread."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-db")
        self._relay = _Relay()
        self._relay.done.connect(self._relay.deliver)

    def run(
        self, work: Callable[[], Any], on_success: Success, on_failure: Failure | None = None
    ) -> Future[Any]:
        """Run ``work()`` in the worker; then ``on_success(result)`` or ``on_failure(error)``."""
        future = self._executor.submit(work)

        def finished(done: Future[Any]) -> None:
            error = done.exception()
            if error is None:
                self._relay.done.emit(on_success, done.result(), None)
            elif on_failure is not None:
                self._relay.done.emit(on_failure, error, None)
            else:
                log.error("background task failed", exc_info=error)

        future.add_done_callback(finished)
        return future

    def shutdown(self) -> None:
        """Wait for the running task and stop the worker."""
        self._executor.shutdown(wait=True, cancel_futures=True)


class InlineTaskRunner(TaskRunner):
    """Runs work at once on the calling thread: for tests, where order must be deterministic."""

    def __init__(self) -> None:
        """No worker thread at all."""

    def run(
        self, work: Callable[[], Any], on_success: Success, on_failure: Failure | None = None
    ) -> Future[Any]:
        """Run ``work()`` now and call the matching callback."""
        future: Future[Any] = Future()
        try:
            result = work()
        except Exception as exc:  # handed to on_failure, like the threaded runner does
            future.set_exception(exc)
            if on_failure is None:
                raise
            on_failure(exc)
        else:
            future.set_result(result)
            on_success(result)
        return future

    def shutdown(self) -> None:
        """Nothing to stop."""
