"""Read-only panels of the verification screen: the automatic findings and the request's
history (ui layer).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QTextBrowser, QWidget

from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.dto import FindingRow
from disdukcapil_desk.domain.history import HistoryEntry
from disdukcapil_desk.ui.palette import COLOURS

SEVERITY_MARK = {"error": "✖", "warning": "⚠", "info": "ℹ"}
SEVERITY_COLOUR = {s: COLOURS[s] for s in ("error", "warning", "info")}
MAX_FINDING_LINES = 5
"""More lines than this scroll inside the panel, so the form keeps its room."""


class FindingsView(QScrollArea):
    """Every automatic finding, whole: lines wrap, none is cut; many scroll."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """An empty panel."""
        super().__init__(parent)
        self.setObjectName("findings")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.label = QLabel("", self)
        self.label.setObjectName("findingsText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setWidget(self.label)
        self.messages: list[str] = []

    def show_findings(self, findings: tuple[FindingRow, ...]) -> None:
        """Show a request's findings, errors first."""
        order = {"error": 0, "warning": 1, "info": 2}
        ranked = sorted(findings, key=lambda f: order.get(str(f.severity), 3))
        self.messages = [f.message for f in ranked]
        if not ranked:
            self.label.setText(
                self.tr("<span style='color:{0}'>Tidak ada temuan otomatis.</span>").format(
                    COLOURS["hint"]
                )
            )
            self.label.setToolTip("")
        else:
            self.label.setText(
                "<br>".join(
                    f"<span style='color:{SEVERITY_COLOUR.get(str(f.severity), COLOURS['text'])}'>"
                    f"{SEVERITY_MARK.get(str(f.severity), '•')}</span> {escape(f.message)}"
                    for f in ranked
                )
            )
            self.label.setToolTip("\n".join(f"{f.code} ({f.field or 'umum'})" for f in ranked))
        self.updateGeometry()

    def count(self) -> int:
        """How many findings are shown."""
        return len(self.messages)

    def _content_height(self, width: int) -> int:
        if width <= 0:
            width = max(self.width(), 300)
        height = self.label.heightForWidth(width)
        return height if height > 0 else self.label.sizeHint().height()

    def sizeHint(self) -> QSize:
        """As tall as the findings, up to ``MAX_FINDING_LINES`` lines."""
        cap = self.fontMetrics().lineSpacing() * MAX_FINDING_LINES + 6
        height = min(self._content_height(self.viewport().width()), cap)
        return QSize(super().sizeHint().width(), height + 2 * self.frameWidth() + 2)

    def minimumSizeHint(self) -> QSize:
        """One line at least."""
        return QSize(0, min(self.sizeHint().height(), self.fontMetrics().lineSpacing() + 6))

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A new width wraps differently: ask the layout for the new height."""
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()


class HistoryView(QTextBrowser):
    """Who did what to the request and when, and every message stored for the citizen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """An empty, read-only history."""
        super().__init__(parent)
        self.setObjectName("history")
        self.setOpenLinks(False)
        self.entries: tuple[HistoryEntry, ...] = ()
        self.setPlainText(self.tr("Riwayat dimuat…"))

    def show_entries(self, entries: tuple[HistoryEntry, ...]) -> None:
        """Show the history, newest first (what a citizen who calls asks about)."""
        self.entries = entries
        if not entries:
            self.setPlainText(self.tr("Belum ada riwayat."))
            return
        self.setHtml("".join(_entry_html(entry) for entry in reversed(entries)))

    def clear_entries(self, note: str = "") -> None:
        """Forget the previous request's history."""
        self.entries = ()
        self.setPlainText(note or self.tr("Riwayat dimuat…"))


def _entry_html(entry: HistoryEntry) -> str:
    at = entry.at.astimezone(WIB)
    who = escape(
        entry.actor_name
        if entry.actor == entry.actor_name
        else f"{entry.actor_name} ({entry.actor})"
    )
    if entry.actor == "system":
        who = QCoreApplication.translate("HistoryView", "sistem")
    parts = [f"<b>{at:%d-%m-%Y %H:%M}</b> · {escape(entry.label)} · <i>{who}</i>"]
    if entry.detail and entry.detail != entry.message:
        parts.append(
            QCoreApplication.translate("HistoryView", "<br>Keterangan: {0}").format(
                escape(entry.detail)
            )
        )
    if entry.message:
        body = escape(entry.message).replace("\n", "<br>")
        parts.append(
            f"<br><span style='color:{COLOURS['info']}'>"
            + QCoreApplication.translate("HistoryView", "Pesan untuk pemohon:")
            + "</span>"
            f"<div style='margin-left:12px; background:{COLOURS['message_bg']}'>{body}</div>"
        )
    return "<p>" + "".join(parts) + "</p>"
