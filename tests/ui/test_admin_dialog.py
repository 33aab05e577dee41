"""Administrasi dokumen: letterhead and signers, the signing certificate, akta numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.office import OfficeOps
from disdukcapil_desk.reports.signing import self_signed_pkcs12
from disdukcapil_desk.ui.dialogs import admin_dialog
from disdukcapil_desk.ui.dialogs.admin_dialog import AdminDialog
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.tasks import InlineTaskRunner, TaskRunner
from tests.integration.test_documents import approved
from tests.ui.conftest import OpenWindow


def open_dialog(qtbot: QtBot, ctx: DeskContext, actor: Actor) -> AdminDialog:
    dialog = AdminDialog(DeskSession(ctx, actor, "DINAS"), InlineTaskRunner())
    qtbot.addWidget(dialog)
    return dialog


def test_administrators_get_their_home_and_the_admin_action(
    open_window: OpenWindow,
    ctx: DeskContext,
    users: dict[str, Actor],
) -> None:
    admin = open_window(users["admin"])
    # an administrator has no queue (citizens' data) but a home that says where to go
    home = admin.stack.currentWidget()
    assert home.objectName() == "administratorHome" and "Administrasi" in home.text()
    assert not admin.toolbar_actions["refresh"].isEnabled()
    admin.refresh()
    assert admin.toolbar_actions["admin"].isVisible()
    dialog = admin.open_admin()
    assert (
        dialog.isVisible() and dialog.service.count() == 7
    )  # every numbered service, PA and PS too
    dialog.close()
    counter = open_window(users["loket.dinas"])
    assert not counter.toolbar_actions["admin"].isVisible()


def test_letterhead_and_signers_are_saved_and_audited(
    qtbot: QtBot, ctx: DeskContext, users: dict[str, Actor]
) -> None:
    dialog = open_dialog(qtbot, ctx, users["admin"])
    assert dialog.setting_edits["agency"].text() == "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL"
    dialog.save_settings_button.click()
    assert dialog.settings_state.text() == "Tidak ada perubahan."
    dialog.setting_edits["registrar_name"].setText("Drs. H. Ahmad Fauzi, M.Si.")
    dialog.setting_edits["registrar_nip"].setText(" 197005121995031002 ")
    dialog.save_settings_button.click()
    assert dialog.settings_state.text() == "2 setelan disimpan."
    stored = OfficeOps(ctx).get()
    assert stored.registrar_name == "Drs. H. Ahmad Fauzi, M.Si."
    assert stored.registrar_nip == "197005121995031002"


def test_certificate_install_errors_removal_and_public_key(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    errors: list[BaseException] = []
    monkeypatch.setattr(admin_dialog, "show_error", lambda _parent, error: errors.append(error))
    until = dt.datetime(2040, 1, 1, tzinfo=dt.UTC)
    pkcs12, _ = self_signed_pkcs12("Pejabat Pencatatan Sipil", "sandi", not_after=until)
    p12 = tmp_path / "dinas.p12"
    p12.write_bytes(pkcs12)
    dialog = open_dialog(qtbot, ctx, users["admin"])
    assert "DRAF" in dialog.signing_state.text() and not dialog.remove_button.isEnabled()
    dialog.choose_pkcs12_file = lambda: p12  # type: ignore[method-assign]
    dialog.ask_passphrase = lambda _name: "salah"  # type: ignore[method-assign]
    dialog.install_button.click()
    assert isinstance(errors[-1], DeskError) and DocumentOps(ctx).signing_info() is None
    dialog.ask_passphrase = lambda _name: "sandi"  # type: ignore[method-assign]
    dialog.install_button.click()
    assert "Pejabat Pencatatan Sipil" in dialog.signing_state.text()
    assert "01-01-2040" in dialog.signing_state.text() and dialog.remove_button.isEnabled()
    assert DocumentOps(ctx).signing_info() is not None
    dialog.confirm_removal = lambda: False  # type: ignore[method-assign]
    dialog.remove_button.click()
    assert DocumentOps(ctx).signing_info() is not None, "not removed without confirmation"
    dialog.confirm_removal = lambda: True  # type: ignore[method-assign]
    dialog.remove_button.click()
    assert DocumentOps(ctx).signing_info() is None and "DRAF" in dialog.signing_state.text()
    key = tmp_path / "kunci.pem"
    dialog.choose_public_key_path = lambda: key  # type: ignore[method-assign]
    dialog.export_button.click()
    assert key.read_bytes() == DocumentOps(ctx).public_key()
    assert "Sidik jari:" in dialog.key_state.text()
    assert len(errors) == 1


def test_opening_offset_and_register(
    qtbot: QtBot, ctx: DeskContext, users: dict[str, Actor]
) -> None:
    dialog = open_dialog(qtbot, ctx, users["admin"])
    dialog.service.setCurrentIndex(dialog.service.findData("akta_kematian"))
    dialog.year.setValue(2026)
    dialog.last_paper_number.setValue(57)
    dialog.offset_button.click()
    assert "nomor berikutnya 0058" in dialog.offset_state.text()
    operator = users["operator.dinas"]
    [request_id] = approved(ctx, 1)
    number = DocumentOps(ctx).issue(operator, request_id).certificate_number
    assert number == "3604-KM-02112026-0058"
    DocumentOps(ctx).void(users["kasi.dinas"], number, "salah ketik nama ayah")
    again = open_dialog(qtbot, ctx, users["admin"])
    assert again.register_table.rowCount() == 1
    cells = [again.register_table.item(0, c).text() for c in range(5)]
    assert cells[1:] == [number, "Dibatalkan", "kasi.dinas", "salah ketik nama ayah"]


def test_the_signing_tab_sets_the_timestamp_server_and_says_the_pades_level(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    threaded_runner: TaskRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    errors: list[BaseException] = []
    monkeypatch.setattr(admin_dialog, "show_error", lambda _parent, error: errors.append(error))
    dialog = AdminDialog(DeskSession(ctx, users["admin"], "DINAS"), threaded_runner)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "B-B" in dialog.level_state.text(), timeout=5000)
    assert dialog.timestamp_edit.text() == ""
    dialog.timestamp_edit.setText("bukan url")
    dialog.timestamp_button.click()
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[-1], DeskError) and DocumentOps(ctx).timestamp_server() == ""
    dialog.timestamp_edit.setText("http://tsa.contoh.go.id/tsr")
    dialog.timestamp_button.click()
    qtbot.waitUntil(lambda: "B-T" in dialog.level_state.text(), timeout=5000)
    assert "http://tsa.contoh.go.id/tsr" in dialog.level_state.text()
    assert DocumentOps(ctx).timestamp_server() == "http://tsa.contoh.go.id/tsr"
    dialog.timestamp_edit.setText("")
    dialog.timestamp_button.click()
    qtbot.waitUntil(lambda: "B-B" in dialog.level_state.text(), timeout=5000)
    assert DocumentOps(ctx).timestamp_server() == "" and len(errors) == 1
