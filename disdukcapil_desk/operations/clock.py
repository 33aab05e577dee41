"""Comparing this workstation's clock with the database server's (operations layer)."""

from __future__ import annotations

import datetime as dt

from disdukcapil_desk.operations.context import DeskContext


class ClockOps:
    """How far this workstation's clock is off the server's (the desk uses the server's)."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx

    def clock_skew(self) -> dt.timedelta | None:
        """This workstation's clock minus the server's (positive: the workstation is fast);
        None on SQLite, whose only clock is this workstation's.

        The round trip is halved out: the server's answer is compared with the middle of the
        workstation's readings before and after the question.
        """
        if not self._ctx.postgresql:
            return None
        with self._ctx.reading() as session:
            before = self._ctx.clock()
            server = self._ctx.server_now(session)
            after = self._ctx.clock()
        return before + (after - before) / 2 - server
