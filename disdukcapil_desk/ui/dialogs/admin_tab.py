"""The common part of the administration dialog's tabs."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import TaskRunner


class AdminTab(QWidget):
    """A tab of the administration dialog: the session it acts in, the runner its database work
    goes through, and where a failure is shown. A tab builds its widgets in ``_build`` and fills
    them in ``load``.
    """

    OBJECT_NAME = "adminTab"
    """The tab's object name, for tests and the style sheet."""

    def __init__(
        self,
        session: DeskSession,
        runner: TaskRunner,
        show_error: Callable[[BaseException], None],
        parent: QWidget | None = None,
    ) -> None:
        """Keep what every tab needs, then build the tab's own widgets."""
        super().__init__(parent)
        self.setObjectName(self.OBJECT_NAME)
        self._session, self._runner, self._show_error = session, runner, show_error
        self._build()

    def _build(self) -> None:
        """Build the tab's widgets (each tab has its own)."""
        raise NotImplementedError
