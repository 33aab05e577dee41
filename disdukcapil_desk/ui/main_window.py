"""The desk's main window (ui layer). For now a plain window; the queue arrives with the desk UI."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget

from disdukcapil_desk import APP_NAME, ORG_NAME, __version__
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.paths import UserDirs


class MainWindow(QMainWindow):
    """The top-level window of the desk."""

    def __init__(self, database: str, schema_state: str) -> None:
        """Show which database the desk is connected to."""
        super().__init__()
        self.setWindowTitle(f"{APP_NAME} {__version__}")
        body = QWidget(self)
        layout = QVBoxLayout(body)
        title = QLabel(f"<h2>{APP_NAME}</h2><p>{ORG_NAME}</p>", body)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        status = QLabel(f"Basis data: {database}<br>{schema_state}", body)
        status.setObjectName("databaseStatus")
        status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        layout.addWidget(status)
        self.setCentralWidget(body)
        self.resize(900, 600)


def describe_schema(ctx: DeskContext) -> str:
    """Return an Indonesian one-liner about the database schema."""
    from disdukcapil_desk.domain.errors import SchemaVersionError

    try:
        return f"Skema versi {SetupOps(ctx).check()}"
    except SchemaVersionError as exc:
        return str(exc)


def run_desk(ctx: DeskContext, dirs: UserDirs) -> int:
    """Start Qt, show the main window and run the event loop."""
    app = QApplication.instance() or QApplication([APP_NAME])
    window = MainWindow(ctx.database_label, describe_schema(ctx))
    window.show()
    return int(app.exec())
