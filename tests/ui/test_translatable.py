"""Widget texts go through tr(): a text with words handed straight to a widget is not
extractable for translation (the desk's source language is Indonesian)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import disdukcapil_desk.ui

UI = Path(disdukcapil_desk.ui.__file__).parent
SETTERS = frozenset(
    {
        "setText",
        "setPlainText",
        "setHtml",
        "setWindowTitle",
        "setToolTip",
        "setStatusTip",
        "setWhatsThis",
        "setPlaceholderText",
        "setTitle",
        "setTabText",
        "setLabelText",
        "setCancelButtonText",
        "setInformativeText",
        "setHorizontalHeaderLabels",
        "setHeaderLabels",
        "setItemText",
        "setPrefix",
        "setSuffix",
        "setSpecialValueText",
        "showMessage",
        "addAction",
        "addTab",
        "addItem",
        "addItems",
        "insertItem",
        "addRow",
        "addButton",
    }
)
WIDGETS = frozenset(
    {
        "QLabel",
        "QPushButton",
        "QCheckBox",
        "QRadioButton",
        "QGroupBox",
        "QAction",
        "QMenu",
        "QToolBar",
        "QToolButton",
        "QMessageBox",
        "QProgressDialog",
        "QTableWidgetItem",
        "QListWidgetItem",
    }
)
DIALOGS = frozenset(
    {
        # Qt's ready-made dialogs: title and prompt (QMessageBox's: see MESSAGE_BOXES)
        "getText",
        "getInt",
        "getItem",
        "getOpenFileName",
        "getSaveFileName",
        "getExistingDirectory",
        # the desk's own
        "ask_yes_no",
        "ask_reason",
        "confirm_message",
        "ReasonDialog",
        "CitizenMessageDialog",
        "DialogButtons",
    }
)
MESSAGE_BOXES = frozenset({"information", "warning", "critical", "question"})
CALLS = SETTERS | WIDGETS | DIALOGS | MESSAGE_BOXES
MARKUP = re.compile(r"<[^>]*>")
LABEL_AT = {"addItem": 0, "insertItem": 1, "setItemText": 1, "addTab": 1, "setTabText": 1}
"""Calls whose other arguments are data (a combo item's value), not text: where the text is."""


def words_in(text: str) -> bool:
    """Whether ``text`` has a letter outside its HTML tags."""
    return any(c.isalpha() for c in MARKUP.sub("", text))


def has_words(node: ast.expr) -> bool:
    """Whether ``node`` is text written into the code (a literal, an f-string, a list of them)
    with at least one letter outside markup: "—", "" or "<b>{name}</b>" need no translation."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and words_in(node.value)
    if isinstance(node, ast.JoinedStr):
        parts = [p.value if isinstance(p, ast.Constant) else "{}" for p in node.values]
        return words_in("".join(str(part) for part in parts))
    if isinstance(node, ast.BinOp):
        return has_words(node.left) or has_words(node.right)
    if isinstance(node, ast.List | ast.Tuple):
        return any(has_words(element) for element in node.elts)
    if isinstance(node, ast.IfExp):
        return has_words(node.body) or has_words(node.orelse)
    return False


def called(call: ast.Call) -> str:
    """The name of what is called; ``QMessageBox.warning`` counts, ``log.warning`` does not."""
    func = call.func
    if isinstance(func, ast.Attribute):
        if func.attr in MESSAGE_BOXES:
            owner = func.value
            return func.attr if isinstance(owner, ast.Name) and owner.id == "QMessageBox" else ""
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def untranslated(source: str) -> list[tuple[int, str]]:
    """(line, call) of every text with words passed straight to a widget in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and called(node) in CALLS:
            arguments = [*node.args, *(k.value for k in node.keywords)]
            if called(node) in LABEL_AT:
                arguments = node.args[LABEL_AT[called(node)] :][:1]
            if any(has_words(argument) for argument in arguments):
                found.append((node.lineno, called(node)))
    return found


def test_the_scan_finds_a_text_handed_straight_to_a_widget() -> None:
    source = (
        "QLabel('Nama', self)\n"
        "button.setText(f'Hapus {n}')\n"
        "box.setToolTip('Alasan: ' + why)\n"
        "self.statusBar().showMessage(self.tr('Tersimpan'), 500)\n"
        "QLabel('—')\n"
        "QLabel(f'<b>{name}</b>')\n"
        "combo.addItem(self.tr('Masih berjalan'), 'open')\n"
        "QMessageBox.warning(self, 'Gagal', text)\n"
        "log.warning('release failed: %s', error)\n"
    )
    assert untranslated(source) == [
        (1, "QLabel"),
        (2, "setText"),
        (3, "setToolTip"),
        (8, "warning"),
    ]


def test_every_widget_text_of_the_window_goes_through_tr() -> None:
    found = [
        f"{path.relative_to(UI)}:{line} {call}"
        for path in sorted(UI.rglob("*.py"))
        for line, call in untranslated(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "wrap these in self.tr() / QCoreApplication.translate()"
