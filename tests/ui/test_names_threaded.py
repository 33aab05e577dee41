"""Name findings on the verification page, as the officer types, with the real threaded runner:
the intake finding of a non-Latin name is shown on opening, and each typed name is checked
at once by Permendagri 73/2022 (a new name an error, a registered person's a warning).
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.ui.main_window import MainWindow
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.verification.fields_form import FieldEditor
from tests.integration.test_intake import ingest_rows, request_of, sample_row
from tests.ui.conftest import OpenThreaded

ARABIC = "فاطمة الزهراء"


@pytest.fixture
def runner(threaded_runner: TaskRunner) -> TaskRunner:  # type: ignore[override]
    return threaded_runner


@pytest.fixture
def window(open_threaded: OpenThreaded) -> MainWindow:
    return open_threaded("loket.dinas")


def birth_with(ctx: DeskContext, **changes: str) -> int:
    payload = json.loads(sample_row("wa-1001").payload)
    payload.update(changes)
    ingest_rows(ctx, sample_row("wa-1001", payload=json.dumps(payload)))
    return request_of(ctx, "wa-1001").id


def open_request(qtbot: QtBot, window: MainWindow, request_id: int) -> None:
    window.open_request(request_id)
    page = window.verification
    qtbot.waitUntil(lambda: page.detail is not None and not page.read_only, timeout=5000)
    window.runner.wait_idle()


def type_into(qtbot: QtBot, editor: FieldEditor, text: str) -> None:
    """Replace the field's text as an officer does: select all, delete, type (letters a key
    cannot give, like ë or Arabic, come as the input method commits them).
    """
    line = editor.input
    assert isinstance(line, QLineEdit)
    line.setFocus()
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Delete)
    if text.isascii():
        qtbot.keyClicks(line, text)
    else:
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(line, event)
    assert line.text() == text


def shown(editor: FieldEditor) -> tuple[str, str]:
    """(tone, text) of the line under the field; ``("", "")`` when nothing is wrong."""
    if editor.problem.isHidden():
        return "", ""
    return str(editor.problem.property("tone")), editor.problem.text()


def test_name_findings_show_on_opening_and_as_the_officer_types(
    qtbot: QtBot, window: MainWindow, ctx: DeskContext, users: dict[str, Actor]
) -> None:
    request_id = birth_with(ctx, anak_nama=ARABIC)
    open_request(qtbot, window, request_id)
    page = window.verification
    assert page.form is not None
    assert any("Nama anak: ditulis dengan huruf selain huruf Latin" in m for m in _findings(page))
    child, father = page.form.editors["anak_nama"], page.form.editors["ayah_nama"]
    tone, text = shown(child)
    assert tone == "error" and "huruf Latin" in text, "the loaded value is checked too"

    type_into(qtbot, child, "Fatimah")
    assert shown(child) == ("error", "kurang dari 2 kata (Permendagri 73/2022)")
    type_into(qtbot, child, "Fatimah 2")
    assert shown(child)[0] == "error" and "memuat angka" in shown(child)[1]
    type_into(qtbot, child, "dr. Fatimah Zahra")
    assert "gelar" in shown(child)[1] and "akta" in shown(child)[1]
    type_into(qtbot, child, "Zoë Fatimah Muñoz")
    assert shown(child) == ("", ""), "Latin with diacritics is a good name"

    type_into(qtbot, father, "Sarmadi")
    tone, text = shown(father)
    assert tone == "warning" and "kurang dari 2 kata" in text and "tetap berlaku" in text
    type_into(qtbot, page.form.editors["alamat"], ARABIC)
    assert shown(page.form.editors["alamat"]) == ("", ""), "an address is not a name"
    window.runner.wait_idle()

    page.save()
    qtbot.waitUntil(lambda: not any("huruf Latin" in m for m in _findings(page)), timeout=5000)
    stored = QueueOps(ctx).detail(users["loket.dinas"], request_id)
    by_field = {(f.code, f.field): str(f.severity) for f in stored.findings}
    assert by_field[("name_too_few_words", "ayah_nama")] == "warning"
    assert not [k for k in by_field if k[1] == "anak_nama"]


def _findings(page: object) -> list[str]:
    detail = page.detail  # type: ignore[attr-defined]
    return [f.message for f in detail.findings] if detail is not None else []
