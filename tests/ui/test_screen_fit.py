"""The desk on a 1366x768 laptop (a 40-pixel taskbar; 100 % and 125 % scaling): every window
fits, the verification page reads at a glance, attachments and history behave.

At 125 % Qt lays out in logical pixels: the same fonts on a 1093x582 area, which is what
these tests give the window helper.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from disdukcapil_desk.domain.demo_data import document_png
from disdukcapil_desk.domain.documents import choice_words
from disdukcapil_desk.domain.dto import Actor, FindingRow
from disdukcapil_desk.domain.findings import Severity
from disdukcapil_desk.operations.connection import probe_database
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.operations.users import UserOps
from disdukcapil_desk.operations.verification import VerificationOps
from disdukcapil_desk.ui import geometry
from disdukcapil_desk.ui.dialogs.about_dialog import AboutDialog
from disdukcapil_desk.ui.dialogs.admin_dialog import AdminDialog
from disdukcapil_desk.ui.dialogs.document_preview import DocumentPreviewDialog
from disdukcapil_desk.ui.dialogs.first_admin_dialog import FirstAdminDialog
from disdukcapil_desk.ui.dialogs.login_dialog import LoginDialog
from disdukcapil_desk.ui.dialogs.message_dialog import CitizenMessageDialog, ReasonDialog
from disdukcapil_desk.ui.dialogs.recap_dialog import RecapDialog
from disdukcapil_desk.ui.dialogs.settings_dialog import SettingsDialog
from disdukcapil_desk.ui.main_window import PAGE_VERIFY, MainWindow
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import InlineTaskRunner, TaskRunner
from disdukcapil_desk.ui.verification.fields_form import read_date, show_date
from disdukcapil_desk.ui.verification.panels import FindingsView
from disdukcapil_desk.ui.workstation import WorkstationSettings
from tests.integration.test_intake import ingest_rows, request_of, sample_row
from tests.ui.test_document_preview import sample_pdf

AT_100 = QRect(0, 0, 1366, 728)
AT_125 = QRect(0, 0, 1093, 582)


@pytest.fixture(params=[AT_100, AT_125], ids=["100pct", "125pct"])
def laptop(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[QRect]:
    """The free screen of a 1366x768 laptop with a taskbar, for the window helper."""
    area: QRect = request.param
    monkeypatch.setattr(geometry, "available_area", lambda _widget=None: QRect(area))
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    fitter = geometry.install_screen_fit(app)
    yield area
    app.removeEventFilter(fitter)


@pytest.fixture
def threaded() -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def room(area: QRect) -> QSize:
    """What a window may take, its frame and title bar excluded."""
    return area.size() - geometry.FRAME_ALLOWANCE


def fits(size: QSize, area: QRect) -> bool:
    limit = room(area)
    return size.width() <= limit.width() and size.height() <= limit.height()


def desk_window(
    qtbot: QtBot, ctx: DeskContext, actor: Actor, settings: WorkstationSettings, runner: TaskRunner
) -> MainWindow:
    window = MainWindow(DeskSession(ctx, actor, "DINAS"), runner, settings, database_label="t")
    qtbot.addWidget(window)
    window.show()
    window.start()
    return window


def on_the_laptop(window: MainWindow, area: QRect) -> None:
    """The maximised window as the laptop gives it (offscreen has no real maximise)."""
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(room(area))
    QApplication.processEvents()
    assert window.size() == room(area), "the window cannot shrink to the laptop's screen"


def open_and_wait(qtbot: QtBot, window: MainWindow, request_id: int) -> None:
    window.open_request(request_id)
    page = window.verification
    qtbot.waitUntil(
        lambda: page.detail is not None and page.detail.row.id == request_id, timeout=10_000
    )
    qtbot.waitUntil(lambda: bool(page.history.entries), timeout=10_000)


def inside(widget: QWidget, container: QWidget) -> bool:
    """Whether the whole of ``widget`` is within ``container``'s rectangle."""
    top_left = widget.mapTo(container, QPoint(0, 0))
    return container.rect().contains(QRect(top_left, widget.size()))


def with_pictures(ref: str, codes: list[str], **overrides: object):
    row = sample_row(ref, **overrides)
    files = tuple(
        (code, f"{code}.png", "image/png", document_png(random.Random(i), 300, 200))
        for i, code in enumerate(codes)
    )
    return dataclasses.replace(row, attachments=files)


# -- every window fits ---------------------------------------------------------------------


DialogFactory = Callable[[DeskContext, dict[str, Actor], Path], QDialog]


def _settings_dialog(ctx: DeskContext, _users: dict[str, Actor], tmp: Path) -> QDialog:
    return SettingsDialog(
        WorkstationSettings(tmp / "ws.ini"),
        sqlite_file=tmp / "local.sqlite3",
        probe=probe_database,
        locations_for=lambda *_: SetupOps(ctx).planned_locations(),
        store_password=lambda *_: None,
    )


def _conversation_dialog(ctx: DeskContext, users: dict[str, Actor], _tmp: Path) -> QDialog:
    from disdukcapil_desk.ui.outbox.conversation_dialog import ConversationDialog

    ingest_rows(ctx, sample_row("wa-1001"), sample_row("wa-1008"))
    session = DeskSession(ctx, users["loket.dinas"], "DINAS")
    return ConversationDialog(session, InlineTaskRunner(), request_of(ctx, "wa-1001").id)


def _undelivered_dialog(ctx: DeskContext, users: dict[str, Actor], _tmp: Path) -> QDialog:
    from disdukcapil_desk.ui.outbox.undelivered_dialog import UndeliveredDialog

    return UndeliveredDialog(DeskSession(ctx, users["loket.dinas"], "DINAS"), InlineTaskRunner())


def _walk_in_dialog(ctx: DeskContext, users: dict[str, Actor], tmp: Path) -> QDialog:
    from disdukcapil_desk.ui.dialogs.walk_in import WalkInDialog

    session = DeskSession(ctx, users["loket.upt05"], "UPT-05")
    settings = WorkstationSettings(tmp / "ws.ini")
    return WalkInDialog(session, InlineTaskRunner(), settings, lambda *_: None)


DIALOGS: dict[str, DialogFactory] = {
    "walk_in": _walk_in_dialog,
    "conversation": _conversation_dialog,
    "undelivered": _undelivered_dialog,
    "settings": _settings_dialog,
    "login": lambda ctx, _u, _t: LoginDialog(UserOps(ctx).authenticate, office="Dinas"),
    "first_admin": lambda ctx, _u, _t: FirstAdminDialog(ctx.database_label),
    "about": lambda ctx, _u, _t: AboutDialog(database_label=ctx.database_label, schema_version=1),
    "admin": lambda ctx, u, _t: AdminDialog(
        DeskSession(ctx, u["admin"], "DINAS"), InlineTaskRunner()
    ),
    "recap": lambda _c, _u, tmp: RecapDialog(
        [("DINAS", "Dinas")], today=dt.date(2026, 11, 2), default_dir=tmp, may_show_full_nik=True
    ),
    "reason": lambda _c, _u, _t: ReasonDialog("Tolak", "Alasan penolakan:", confirm_label="Tolak"),
    "message": lambda _c, _u, _t: CitizenMessageDialog(
        "Minta perbaikan",
        "Pesan berikut dikirim ke pemohon lewat kanal permohonannya.",
        "Yth. Bapak/Ibu,\n" + "Mohon kirim ulang dokumen berikut.\n" * 30,
        confirm_label="Kirim",
    ),
    "print_preview": lambda _c, _u, tmp: DocumentPreviewDialog(
        "tanda terima", sample_pdf(3), tmp / "t.pdf", lambda *_: None
    ),
}


@pytest.mark.parametrize("name", sorted(DIALOGS))
def test_every_dialog_fits_the_laptop_screen(
    qtbot: QtBot,
    laptop: QRect,
    ctx: DeskContext,
    users: dict[str, Actor],
    tmp_path: Path,
    name: str,
) -> None:
    dialog = DIALOGS[name](ctx, users, tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    QApplication.processEvents()
    assert fits(dialog.minimumSizeHint(), laptop), f"{name} cannot shrink to the screen"
    assert geometry.fits_on_screen(dialog), f"{name} at {dialog.geometry()} leaves {laptop}"
    buttons = [b for b in dialog.findChildren(QWidget) if b.inherits("QPushButton")]
    assert all(inside(b, dialog) for b in buttons if b.isVisible()), "a button is cut off"


def test_the_print_preview_is_as_tall_as_the_screen_allows(
    qtbot: QtBot, laptop: QRect, tmp_path: Path
) -> None:
    dialog = DocumentPreviewDialog("akta", sample_pdf(2), tmp_path / "a.pdf", lambda *_: None)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.height() == laptop.height() - geometry.frame_allowance(dialog).height()
    assert inside(dialog.print_button, dialog)


def test_the_main_window_opens_maximised_and_can_shrink_to_the_screen(
    qtbot: QtBot,
    laptop: QRect,
    ctx: DeskContext,
    users: dict[str, Actor],
    settings: WorkstationSettings,
) -> None:
    window = desk_window(qtbot, ctx, users["loket.dinas"], settings, InlineTaskRunner())
    assert window.windowState() & Qt.WindowState.WindowMaximized
    assert fits(window.minimumSizeHint(), laptop), window.minimumSizeHint()


LONGEST_LOGIN = "verifikator.upt-28x"
"""A login longer than any the office hands out: the account button grows with it."""


@pytest.mark.parametrize("login", ["admin", "loket.dinas", "operator.dinas", "kasi.dinas"])
def test_every_role_has_its_whole_toolbar_on_the_laptop(
    qtbot: QtBot,
    laptop: QRect,
    ctx: DeskContext,
    users: dict[str, Actor],
    settings: WorkstationSettings,
    login: str,
) -> None:
    """Before, at 125 % the section head's toolbar folded its last buttons behind a chevron."""
    actor = dataclasses.replace(users[login], login=LONGEST_LOGIN)
    window = desk_window(qtbot, ctx, actor, settings, InlineTaskRunner())
    on_the_laptop(window, laptop)
    chevron = window.toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert chevron is not None and not chevron.isVisible(), "some toolbar actions are folded away"
    account = window.toolbar.findChild(QToolButton, "accountButton")
    assert account is not None and inside(account, window)
    menu = account.menu()
    assert menu is not None
    texts = [action.text() for action in menu.actions()]
    assert "Ukuran teks" in texts and "Tentang Disdukcapil Desk" in texts
    failed = window.findChild(QToolButton, "undeliveredButton")
    assert failed is not None
    assert not failed.isVisible() or inside(failed, window), "Pesan gagal (n) is cut off"


def test_decision_bar_is_visible_and_a_birth_is_readable_without_scrolling(
    qtbot: QtBot,
    laptop: QRect,
    ctx: DeskContext,
    users: dict[str, Actor],
    settings: WorkstationSettings,
    threaded: TaskRunner,
) -> None:
    ingest_rows(ctx, with_pictures("wa-1001", ["f201", "kk"]))
    window = desk_window(qtbot, ctx, users["loket.dinas"], settings, threaded)
    on_the_laptop(window, laptop)
    open_and_wait(qtbot, window, request_of(ctx, "wa-1001").id)
    page = window.verification
    assert window.stack.currentIndex() == PAGE_VERIFY
    QApplication.processEvents()
    for name, button in page.buttons.items():
        if not button.isHidden():
            assert inside(button, window), f"{name} is off the screen"
    assert page.form is not None
    if laptop == AT_100:
        viewport = page.form_area.viewport()
        service_fields = [n for n in page.form.editors if n.startswith(("anak_", "ayah_", "ibu_"))]
        assert len(service_fields) >= 6
        for name in service_fields:
            assert inside(page.form.editors[name], viewport), f"{name} needs scrolling"


# -- the verification page reads at a glance ------------------------------------------------


def test_dates_are_shown_day_first_and_typed_either_way(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    settings: WorkstationSettings,
    threaded: TaskRunner,
) -> None:
    ingest_rows(ctx, sample_row("wa-1001"))
    request_id = request_of(ctx, "wa-1001").id
    stored = str(
        QueueOps(ctx).detail(users["loket.dinas"], request_id).payload["anak_tanggal_lahir"]
    )
    window = desk_window(qtbot, ctx, users["loket.dinas"], settings, threaded)
    open_and_wait(qtbot, window, request_id)
    page = window.verification
    assert page.form is not None
    editor = page.form.editors["anak_tanggal_lahir"]
    assert (
        editor.input.text()
        == show_date(stored)
        == dt.date.fromisoformat(stored).strftime("%d-%m-%Y")
    )
    for typed in ("21-10-2026", "21/10/2026", "2026-10-21"):
        editor.input.setText(typed)
        editor.input.textEdited.emit(typed)
        assert editor.value() == "2026-10-21" and editor.problem.isHidden()
    editor.input.setText("31-02-2026")
    editor.input.textEdited.emit("31-02-2026")
    assert not editor.problem.isHidden() and "tanggal tidak sah" in editor.problem.text()
    editor.input.setText("21-10-2026")
    editor.input.textEdited.emit("21-10-2026")
    version = page.version
    page.save()
    qtbot.waitUntil(lambda: page.version == version + 1, timeout=10_000)
    saved = QueueOps(ctx).detail(users["loket.dinas"], request_id).payload
    assert saved["anak_tanggal_lahir"] == "2026-10-21"


def test_choices_by_their_words_desa_by_name_long_values_from_their_start(
    qtbot: QtBot, ctx: DeskContext, users: dict[str, Actor], settings: WorkstationSettings
) -> None:
    long_address = "Kp. Cikande Permai Jl. Raya Serang-Jakarta Km 68 Gg. Masjid Al-Ikhlas No. 17"
    row = sample_row("wa-1001")
    payload = json.loads(row.payload)
    payload.update({"alamat": long_address, "tempat_dilahirkan": "rs_rb"})
    ingest_rows(ctx, dataclasses.replace(row, payload=json.dumps(payload)))
    window = desk_window(qtbot, ctx, users["loket.dinas"], settings, InlineTaskRunner())
    window.open_request(request_of(ctx, "wa-1001").id)
    form = window.verification.form
    assert form is not None
    place = form.editors["tempat_dilahirkan"].input
    assert isinstance(place, QComboBox) and place.currentText() == "RS/RB"
    assert place.currentData() == "rs_rb"
    address = form.editors["alamat"].input
    assert not isinstance(address, QComboBox)
    assert address.text() == long_address and address.cursorPosition() == 0
    desa = ctx.reference.wilayah.desa(str(payload["kode_desa"]))
    assert desa is not None
    name_label = form.editors["kode_desa"].desa_name
    assert name_label is not None and desa.name in name_label.text()
    assert choice_words("antar_kabupaten_kota") == "Antar kabupaten/kota"
    assert choice_words("numpang_kk") == "Numpang KK"
    assert read_date("2026-13-01") is None and read_date("1-2-2026") == dt.date(2026, 2, 1)


def test_findings_and_checklist_states_are_never_cut(
    qtbot: QtBot, ctx: DeskContext, users: dict[str, Actor], settings: WorkstationSettings
) -> None:
    long = "Tanggal lahir dalam NIK (12-03-55) berbeda dengan data tertulis (03-11-1992); " * 2
    view = FindingsView()
    qtbot.addWidget(view)
    view.resize(420, 200)
    view.show_findings(
        (
            FindingRow("nik_birth_date", Severity.WARNING, "nik", long, "auto", False),
            FindingRow(
                "field_missing", Severity.ERROR, "ibu_nama", "Nama ibu belum diisi", "auto", False
            ),
        )
    )
    view.show()
    QApplication.processEvents()
    assert long.strip() in view.label.text().replace("&amp;", "&")
    needed = view.label.heightForWidth(view.viewport().width())
    assert view.sizeHint().height() >= needed, "every line of the findings is shown"
    ingest_rows(ctx, sample_row("wa-1001"))
    window = desk_window(qtbot, ctx, users["loket.dinas"], settings, InlineTaskRunner())
    window.open_request(request_of(ctx, "wa-1001").id)
    checklist = window.verification.checklist
    for row in range(checklist.rowCount()):
        combo = checklist.cellWidget(row, 1)
        assert isinstance(combo, QComboBox)
        assert checklist.columnWidth(1) >= combo.sizeHint().width(), "a state is cut"


# -- attachments -----------------------------------------------------------------------------


def test_rotation_belongs_to_one_attachment_not_to_the_next_request(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    settings: WorkstationSettings,
    threaded: TaskRunner,
) -> None:
    ingest_rows(
        ctx,
        with_pictures("wa-1001", ["f201", "kk"]),
        with_pictures("wa-1001", ["f201"], external_ref="wa-1001-b"),
    )
    window = desk_window(qtbot, ctx, users["loket.dinas"], settings, threaded)
    open_and_wait(qtbot, window, request_of(ctx, "wa-1001").id)
    viewer = window.verification.viewer

    def shown() -> bool:
        return "piksel" in viewer.note.text()

    def angle() -> float:
        transform = viewer.view.transform()
        return round(
            __import__("math").degrees(__import__("math").atan2(transform.m12(), transform.m11()))
        )

    qtbot.waitUntil(shown, timeout=10_000)
    first = viewer.current_id
    viewer.rotate()
    assert angle() == 90
    viewer.next()
    qtbot.waitUntil(lambda: viewer.current_id != first and shown(), timeout=10_000)
    assert angle() == 0, "the next attachment is upright"
    viewer.rotate_left()
    assert angle() == -90
    viewer.previous()
    qtbot.waitUntil(lambda: viewer.current_id == first and shown(), timeout=10_000)
    assert angle() == 90, "the first one stays as the officer turned it"
    window.verification.close_request()
    open_and_wait(qtbot, window, request_of(ctx, "wa-1001-b").id)
    qtbot.waitUntil(shown, timeout=10_000)
    assert angle() == 0, "another request's attachment opens upright"


def test_a_checklist_row_names_its_file_and_shows_it(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    settings: WorkstationSettings,
    threaded: TaskRunner,
) -> None:
    ingest_rows(ctx, with_pictures("wa-1001", ["f201", "kk"]))
    window = desk_window(qtbot, ctx, users["loket.dinas"], settings, threaded)
    open_and_wait(qtbot, window, request_of(ctx, "wa-1001").id)
    page = window.verification
    checklist, viewer = page.checklist, page.viewer
    rows = {code: row for row, code in enumerate(checklist._codes)}
    assert "kk.png" in checklist.item(rows["kk"], 0).text()
    assert "tidak ada lampiran" in checklist.item(rows["buku_nikah"], 0).text()
    kk_id = next(a.id for a in page.detail.attachments if a.requirement_code == "kk")  # type: ignore[union-attr]
    checklist.setFocus()
    checklist.setCurrentCell(rows["kk"], 0)
    qtbot.waitUntil(lambda: viewer.current_id == kk_id, timeout=10_000)
    checklist.setCurrentCell(rows["buku_nikah"], 0)
    assert viewer.current_id is None and "Tidak ada lampiran" in viewer.note.text()
    viewer.list.setCurrentRow(0)  # the officer looks at another file…
    checklist.setCurrentCell(rows["kk"], 0)
    viewer.list.setCurrentRow(0)
    qtbot.keyClick(checklist, Qt.Key.Key_Return)  # …Enter on the row brings its own back
    qtbot.waitUntil(lambda: viewer.current_id == kk_id, timeout=10_000)


# -- history -----------------------------------------------------------------------------------


def test_a_request_waiting_for_the_citizen_opens_read_only_with_its_history(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    settings: WorkstationSettings,
    threaded: TaskRunner,
) -> None:
    officer = users["loket.dinas"]
    ingest_rows(ctx, sample_row("wa-1002"))
    request_id = request_of(ctx, "wa-1002").id
    lease = QueueOps(ctx).claim(officer, request_id)
    VerificationOps(ctx).request_revision(
        officer, request_id, lease.version, "Mohon kirim ulang foto KK yang jelas."
    )
    window = desk_window(qtbot, ctx, users["loket2.dinas"], settings, threaded)
    open_and_wait(qtbot, window, request_id)
    page = window.verification
    assert page.read_only and not page.buttons["approve"].isEnabled()
    assert page.tabs.currentWidget() is page.history
    assert "Menunggu perbaikan dari pemohon" in page.banner.text()
    text = page.history.toPlainText()
    assert "Mohon kirim ulang foto KK yang jelas." in text
    assert "Dikembalikan untuk perbaikan" in text and "Permohonan diterima" in text


# -- text size --------------------------------------------------------------------------------


def test_the_text_size_is_saved_and_the_layout_follows(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    settings: WorkstationSettings,
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    base = app.font().pointSizeF()
    window = desk_window(qtbot, ctx, users["loket.dinas"], settings, InlineTaskRunner())
    assert window.text_size_actions[100].isChecked()
    height_before = window.verification.header.sizeHint().height()
    try:
        window.text_size_actions[130].trigger()
        assert settings.text_scale == 130
        assert app.font().pointSizeF() == pytest.approx(base * 1.3)
        window.verification.header.setText("Nomor<br>Layanan")
        QApplication.processEvents()
        assert window.verification.header.font().pointSizeF() == pytest.approx(base * 1.3)
        again = WorkstationSettings(Path(settings._settings.fileName()))
        assert again.text_scale == 130
    finally:
        window.set_text_scale(100)
    assert app.font().pointSizeF() == pytest.approx(base)
    assert height_before > 0
