"""The last line of defence: log any uncaught exception and tell the user in one line."""

from __future__ import annotations

import logging
import sys
from types import TracebackType

log = logging.getLogger("disdukcapil_desk.crash")


def install_excepthook() -> None:
    """Replace ``sys.excepthook`` so an unexpected error is logged, never dumped on screen."""
    sys.excepthook = _excepthook


def _excepthook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
    if sys.stderr is None:  # a windowed Windows build has no console
        return
    sys.stderr.write(
        f"galat tak terduga: {exc_type.__name__}: {exc}. "
        "Rincian ada di berkas log; hubungi administrator.\n"
    )
