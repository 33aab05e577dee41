"""User administration in the desk, with the real threaded worker: the forced password change at
login, "Ganti kata sandi", log out and the next officer, the administrator's Pengguna tab, and
what the toolbar shows after an idle unlock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QToolButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from disdukcapil_desk.db.models import AuditLog
from disdukcapil_desk.domain.dto import Actor, UserRow
from disdukcapil_desk.domain.errors import AuthError
from disdukcapil_desk.domain.workflow import Role, Status
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.users import MAX_FAILED_LOGINS, UserOps
from disdukcapil_desk.ui import main_window
from disdukcapil_desk.ui.dialogs import admin_dialog
from disdukcapil_desk.ui.dialogs.admin_dialog import AdminDialog
from disdukcapil_desk.ui.dialogs.login_dialog import MUST_CHANGE, LoginDialog
from disdukcapil_desk.ui.dialogs.users_tab import (
    COLUMNS,
    NewUser,
    NewUserDialog,
    ResetPasswordDialog,
    RoleDialog,
    UsersTab,
)
from disdukcapil_desk.ui.main_window import PAGE_LOCKED, PAGE_QUEUE, PAGE_VERIFY, MainWindow
from disdukcapil_desk.ui.session import DeskSession
from disdukcapil_desk.ui.shell import DeskShell
from disdukcapil_desk.ui.tasks import TaskRunner
from disdukcapil_desk.ui.workstation import WorkstationSettings
from tests.conftest import TEST_PASSWORD
from tests.integration.test_queue import seed

WAIT = 10_000
LOGOUT_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def threaded() -> Iterator[TaskRunner]:
    """The desk's own worker thread (callbacks queued back to the GUI thread)."""
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def _window(
    qtbot: QtBot, ctx: DeskContext, actor: Actor, runner: TaskRunner, settings: WorkstationSettings
) -> MainWindow:
    window = MainWindow(DeskSession(ctx, actor, "DINAS"), runner, settings, database_label="test")
    qtbot.addWidget(window)
    window.show()
    window.start()
    return window


def _log_in(qtbot: QtBot, dialog: LoginDialog, login: str, password: str) -> None:
    dialog.login.setText(login)
    dialog.password.setText(password)
    dialog.try_login()
    qtbot.waitUntil(lambda: dialog.buttons.isEnabled(), timeout=WAIT)


# -- the password -------------------------------------------------------------------------------


def test_a_reset_password_is_changed_before_the_desk_opens(
    qtbot: QtBot, ctx: DeskContext, users: dict[str, Actor], threaded: TaskRunner
) -> None:
    ops = UserOps(ctx)
    ops.reset_password(users["admin"], "loket.dinas", "sementara-12")
    dialog = LoginDialog(
        ops.authenticate, office="Dinas", runner=threaded, change_password=ops.change_own_password
    )
    qtbot.addWidget(dialog)
    dialog.show()
    _log_in(qtbot, dialog, "loket.dinas", "sementara-12")
    forced = dialog.password_dialog
    assert forced is not None and forced.isVisible() and dialog.actor is None
    assert not forced.old.isVisible(), "the password just typed is not asked again"
    intro = forced.findChild(QLabel, "passwordIntro")
    assert intro is not None and "diatur ulang oleh administrator" in intro.text()
    # giving up: no desk, the login says why
    forced.reject()
    assert dialog.message.text() == MUST_CHANGE and dialog.actor is None and dialog.isVisible()

    _log_in(qtbot, dialog, "loket.dinas", "sementara-12")
    forced = dialog.password_dialog
    assert forced is not None
    forced.new.setText("pilihan-sendiri-9")
    forced.repeat.setText("pilihan-lain-9")
    forced.buttons.accept_button.click()
    assert forced.message.text() == "Kedua kata sandi baru tidak sama"
    forced.new.setText("sementara-12")
    forced.repeat.setText("sementara-12")
    forced.buttons.accept_button.click()
    qtbot.waitUntil(lambda: "berbeda" in forced.message.text(), timeout=WAIT)
    forced.new.setText("pilihan-sendiri-9")
    forced.repeat.setText("pilihan-sendiri-9")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        forced.buttons.accept_button.click()
    assert dialog.actor is not None and dialog.actor.login == "loket.dinas"
    assert not dialog.actor.must_change_password
    assert not ops.authenticate("loket.dinas", "pilihan-sendiri-9").must_change_password
    with pytest.raises(AuthError):
        ops.authenticate("loket.dinas", "sementara-12")


def test_any_officer_changes_their_password_from_the_window(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    threaded: TaskRunner,
    settings: WorkstationSettings,
) -> None:
    window = _window(qtbot, ctx, users["operator.dinas"], threaded, settings)
    button = window.toolbar.findChild(QToolButton, "accountButton")
    assert button is not None and button.isVisible() and "operator.dinas" in button.text()
    assert "Operator Dinas" in button.toolTip()
    assert {a.objectName() for a in window.account_actions.values()} == {
        "changePasswordAction",
        "logoutAction",
    }
    window.account_actions["password"].trigger()
    dialog = window.findChild(main_window.PasswordDialog)
    assert dialog is not None and dialog.isVisible() and dialog.old.isVisible()
    dialog.old.setText("bukan-sandinya")
    dialog.new.setText("sandi-operator-2")
    dialog.repeat.setText("sandi-operator-2")
    dialog.buttons.accept_button.click()
    qtbot.waitUntil(lambda: dialog.message.text() == "Kata sandi lama salah", timeout=WAIT)
    assert dialog.old.text() == "" and dialog.isVisible()
    dialog.old.setText(TEST_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        dialog.buttons.accept_button.click()
    assert window.statusBar().currentMessage() == "Kata sandi diganti."
    assert UserOps(ctx).authenticate("operator.dinas", "sandi-operator-2").role is Role.VERIFIER


# -- log out, next officer ----------------------------------------------------------------------


def test_log_out_gives_the_request_back_and_the_next_officer_gets_a_fresh_window(
    qtbot: QtBot,
    ctx: DeskContext,
    threaded: TaskRunner,
    settings: WorkstationSettings,
) -> None:
    (request_id,) = seed(ctx, 1)
    shell = DeskShell(ctx, settings, threaded, office="Dinas")
    login = shell.show_login()
    _shell_log_in(qtbot, shell, "loket.dinas")
    first = shell.window
    assert first is not None
    qtbot.addWidget(first)
    first.take_next()
    qtbot.waitUntil(lambda: first.verification.detail is not None, timeout=WAIT)
    assert first.stack.currentIndex() == PAGE_VERIFY and not first.verification.read_only
    first.verification.dirty = True  # typed something, then the shift ends
    answers: list[str] = []

    def leave_unsaved(_parent: object, _title: str, question: str, **_: str) -> bool:
        answers.append(question)
        return True

    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(main_window, "ask_yes_no", leave_unsaved)
    try:
        first.activateWindow()
        qtbot.waitUntil(first.isActiveWindow, timeout=WAIT)
        # as in a narrow window, where the toolbar folds the account button away
        account = first.toolbar.findChild(QToolButton, "accountButton")
        assert account is not None
        account.hide()
        qtbot.keyClick(first.verification, Qt.Key.Key_L, LOGOUT_MODIFIERS)
    finally:
        monkeypatch.undo()
    assert answers == ["Keluar akun tanpa menyimpan?"]
    assert not first.isVisible() and shell.window is None
    again = shell.login
    assert again is not None and again is not login and again.isVisible()
    assert again.login.text() == "loket.dinas", "the last login of this desk is filled in"

    def released() -> bool:
        row = QueueOps(ctx).detail(_reader(), request_id).row
        return row.status is Status.NEW and row.holder is None

    qtbot.waitUntil(released, timeout=WAIT)
    _shell_log_in(qtbot, shell, "loket2.dinas")
    second = shell.window
    assert second is not None and second is not first
    qtbot.addWidget(second)
    assert second.session.actor.login == "loket2.dinas" and "Loket2 Dinas" in second.windowTitle()
    assert second.stack.currentIndex() == PAGE_QUEUE
    qtbot.waitUntil(lambda: second.queue.model.rowCount() == 1, timeout=WAIT)
    # "Keluar" at the login ends the desk
    second.log_out()
    last = shell.login
    assert last is not None and last is not again
    with qtbot.waitSignal(shell.finished, timeout=WAIT):
        last.reject()


def _shell_log_in(qtbot: QtBot, shell: DeskShell, login: str) -> None:
    dialog = shell.login
    assert dialog is not None and dialog.isVisible()
    dialog.login.setText(login)
    dialog.password.setText(TEST_PASSWORD)
    dialog.try_login()
    qtbot.waitUntil(lambda: shell.window is not None, timeout=WAIT)


def _reader() -> Actor:
    return Actor("kasi", Role.SECTION_HEAD, location_code="DINAS")


# -- the idle lock --------------------------------------------------------------------------------


def test_after_an_idle_unlock_only_administrators_see_administrasi(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    threaded: TaskRunner,
    settings: WorkstationSettings,
) -> None:
    for login, sees_admin in (("loket.dinas", False), ("admin", True)):
        window = _window(qtbot, ctx, users[login], threaded, settings)
        assert window.toolbar_actions["admin"].isVisible() is sees_admin
        window.lock()
        assert window.stack.currentIndex() == PAGE_LOCKED and not window.toolbar.isVisible()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
        with qtbot.assertNotEmitted(window.logged_out):
            qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_L, LOGOUT_MODIFIERS)
        window.lock_screen.password.setText(TEST_PASSWORD)
        window.lock_screen.try_unlock()
        qtbot.waitUntil(lambda w=window: w.stack.currentIndex() != PAGE_LOCKED, timeout=WAIT)
        assert window.toolbar.isVisible()
        assert window.toolbar_actions["admin"].isVisible() is sees_admin, login
        assert window.toolbar_actions["lock"].isVisible()
        button = window.toolbar.widgetForAction(window.toolbar_actions["admin"])
        assert button is not None and button.isVisible() is sees_admin


# -- the administrator's Pengguna tab -------------------------------------------------------------


@pytest.fixture
def users_tab(
    qtbot: QtBot, ctx: DeskContext, users: dict[str, Actor], threaded: TaskRunner
) -> UsersTab:
    dialog = AdminDialog(DeskSession(ctx, users["admin"], "DINAS"), threaded)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.tabs.currentWidget() is dialog.users_tab
    tab = dialog.users_tab
    qtbot.waitUntil(lambda: tab.table.rowCount() == 6 and bool(tab.locations), timeout=WAIT)
    return tab


def _select(tab: UsersTab, login: str) -> UserRow:
    tab.table.selectRow([u.login for u in tab.users].index(login))
    user = tab.selected()
    assert user is not None and user.login == login
    return user


def _cell(tab: UsersTab, login: str, column: str) -> str:
    row = [u.login for u in tab.users].index(login)
    item = tab.table.item(row, COLUMNS.index(column))
    return item.text() if item else ""


def _done(qtbot: QtBot, tab: UsersTab, text: str) -> None:
    qtbot.waitUntil(lambda: text in tab.state.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: tab.selected() is not None, timeout=WAIT)


def test_the_administrator_manages_users_in_the_pengguna_tab(
    qtbot: QtBot,
    ctx: DeskContext,
    users_tab: UsersTab,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tab = users_tab
    errors: list[BaseException] = []
    monkeypatch.setattr(admin_dialog, "show_error", lambda _parent, error: errors.append(error))
    assert [tab.table.horizontalHeaderItem(i).text() for i in range(len(COLUMNS))] == list(COLUMNS)
    assert not tab.reset_button.isEnabled(), "nothing selected yet"

    _select(tab, "loket.dinas")
    assert not tab.unlock_button.isEnabled() and tab.active_button.text() == "&Nonaktifkan"
    tab.ask_reset = lambda user: ("sementara-12", True)  # type: ignore[method-assign]
    tab.reset_button.click()
    _done(qtbot, tab, "Kata sandi loket.dinas diatur ulang. Wajib diganti")
    assert _cell(tab, "loket.dinas", "Wajib ganti sandi") == "Ya"
    assert tab.selected().login == "loket.dinas"  # type: ignore[union-attr]

    ops = UserOps(ctx)
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthError):
            ops.authenticate("kasi.dinas", "keliru-sekali")
    tab.load(select="kasi.dinas")
    qtbot.waitUntil(lambda: _cell(tab, "kasi.dinas", "Terkunci s.d.") != "", timeout=WAIT)
    assert tab.unlock_button.isEnabled()
    tab.unlock_button.click()
    _done(qtbot, tab, "Pengguna kasi.dinas kuncinya dibuka.")
    assert _cell(tab, "kasi.dinas", "Terkunci s.d.") == "" and not tab.unlock_button.isEnabled()

    _select(tab, "loket2.dinas")
    tab.confirm_deactivate = lambda user: True  # type: ignore[method-assign]
    tab.active_button.click()
    _done(qtbot, tab, "Pengguna loket2.dinas dinonaktifkan.")
    assert (
        _cell(tab, "loket2.dinas", "Aktif") == "Tidak" and tab.active_button.text() == "&Aktifkan"
    )
    with pytest.raises(AuthError):
        ops.authenticate("loket2.dinas", TEST_PASSWORD)
    tab.active_button.click()
    _done(qtbot, tab, "Pengguna loket2.dinas diaktifkan kembali.")
    assert _cell(tab, "loket2.dinas", "Aktif") == "Ya"

    _select(tab, "operator.dinas")
    tab.ask_role = lambda user: (Role.SECTION_HEAD, "UPT-05")  # type: ignore[method-assign]
    tab.role_button.click()
    _done(qtbot, tab, "sekarang Kepala seksi / kabid di UPT-05")
    assert (_cell(tab, "operator.dinas", "Peran"), _cell(tab, "operator.dinas", "Lokasi")) == (
        "Kepala seksi / kabid",
        "UPT-05",
    )

    tab.ask_new_user = lambda: NewUser(  # type: ignore[method-assign]
        "petugas.baru", "Petugas Baru", Role.COUNTER, "UPT-05", "sandi-baru-12"
    )
    tab.add_button.click()
    _done(qtbot, tab, "Pengguna petugas.baru (Petugas loket) ditambahkan.")
    assert tab.table.rowCount() == 7 and tab.selected().login == "petugas.baru"  # type: ignore[union-attr]

    # the administrator's own account: not deactivated; the last administrator stays one
    _select(tab, "admin")
    assert not tab.active_button.isEnabled()
    tab.ask_role = lambda user: (Role.COUNTER, "DINAS")  # type: ignore[method-assign]
    tab.role_button.click()
    qtbot.waitUntil(lambda: bool(errors), timeout=WAIT)
    assert "administrator aktif terakhir" in str(errors[0])
    assert tab.state.text() == "Tidak disimpan." and _cell(tab, "admin", "Peran") == "Administrator"
    assert errors == errors[:1]

    with ctx.sessions() as session:
        entries = session.scalars(select(AuditLog).where(AuditLog.action.like("user_%"))).all()
    assert {(e.action, e.actor) for e in entries} >= {
        ("user_password_reset", "admin"),
        ("user_unlock", "admin"),
        ("user_deactivate", "admin"),
        ("user_activate", "admin"),
        ("user_role", "admin"),
        ("user_add", "admin"),
    }


def test_a_non_administrator_is_refused_by_the_operations(
    qtbot: QtBot,
    ctx: DeskContext,
    users: dict[str, Actor],
    threaded: TaskRunner,
) -> None:
    errors: list[BaseException] = []
    tab = UsersTab(DeskSession(ctx, users["kasi.dinas"], "DINAS"), threaded, errors.append)
    qtbot.addWidget(tab)
    tab.load()
    qtbot.waitUntil(lambda: tab.table.rowCount() == 6, timeout=WAIT)
    _select(tab, "loket.dinas")
    tab.unlock_button.setEnabled(True)
    tab.unlock_button.click()
    qtbot.waitUntil(lambda: bool(errors), timeout=WAIT)
    assert "tidak memiliki hak" in str(errors[0])


def test_the_small_forms_check_their_input(qtbot: QtBot) -> None:
    user = UserRow(1, "loket.dinas", "Loket Dinas", Role.COUNTER, "DINAS", True, None)
    reset = ResetPasswordDialog(user)
    qtbot.addWidget(reset)
    assert reset.force.isChecked()
    reset.new.setText("pendek")
    reset.check()
    assert "minimal 8" in reset.message.text() and not reset.result()
    reset.new.setText("cukup-panjang-1")
    reset.repeat.setText("cukup-panjang-1")
    reset.check()
    assert reset.result() == 1

    locations = [("DINAS", "Dinas"), ("UPT-05", "UPT Kecamatan Ciruas")]
    role = RoleDialog(user, locations)
    qtbot.addWidget(role)
    assert (role.role(), role.location()) == (Role.COUNTER, "DINAS")
    role.locations.setCurrentIndex(0)
    assert role.location() is None

    new = NewUserDialog(locations)
    qtbot.addWidget(new)
    new.password.setText("sandi-baru-12")
    new.repeat.setText("sandi-baru-12")
    new.check()
    assert new.message.text() == "Login wajib diisi"
    new.login.setText(" budi ")
    new.full_name.setText("Budi")
    new.check()
    assert new.result() == 1
    assert new.new_user() == NewUser("budi", "Budi", Role.COUNTER, "DINAS", "sandi-baru-12")
