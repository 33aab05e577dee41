"""One broadcast of what changed: the window's screens refresh themselves from it (ui layer).

The session names the :class:`~disdukcapil_desk.domain.dto.Changes` of each call it makes
(:func:`note`); the task runner collects them while it runs a call (:func:`collecting`) and
publishes them on its :class:`ChangeBus` on the GUI thread once the call's callback ran. The
queue watcher and the poll publish there too. Each screen subscribes and refreshes only what
concerns it, so an action never has to know which screens show what it changed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, Signal

from disdukcapil_desk.domain.dto import NO_CHANGES, Changes

_state = threading.local()


class ChangeBus(QObject):
    """The window's one signal of what changed (delivered on the GUI thread)."""

    changed = Signal(object)
    """Emitted with a non-empty :class:`Changes`."""
    failed = Signal(object)
    """Emitted with the error of a call that failed, after its own callback ran (the window
    learns at once that the server went out of reach, whatever call found it).
    """

    def publish(self, changes: Changes) -> None:
        """Tell every subscribed screen; nothing happens for no change."""
        if changes:
            self.changed.emit(changes)


@contextmanager
def collecting() -> Iterator[list[Changes]]:
    """Collect what :func:`note` is told on this thread inside the block."""
    previous = getattr(_state, "noted", None)
    noted: list[Changes] = []
    _state.noted = noted
    try:
        yield noted
    finally:
        _state.noted = previous


def note(changes: Changes) -> None:
    """Record what a call changed (ignored outside :func:`collecting`, e.g. in a script)."""
    noted: list[Changes] | None = getattr(_state, "noted", None)
    if noted is not None:
        noted.append(changes)


def merged(noted: list[Changes]) -> Changes:
    """Everything ``noted`` as one :class:`Changes`."""
    result = NO_CHANGES
    for changes in noted:
        result = result | changes
    return result
