"""The administrator's "Pengguna" tab: who may use the desk, their role, place and state (ui layer).

Reset a forgotten password, unlock, deactivate a leaver or activate again, change role and
location, add a user. Permissions, the rules (the last administrator stays) and the audit are
in ``operations/``; every call runs in the task runner.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.domain.dto import Changes, UserChange, UserRow
from disdukcapil_desk.domain.workflow import Role
from disdukcapil_desk.ui.dialogs.admin_tab import AdminTab
from disdukcapil_desk.ui.dialogs.buttons import DialogButtons
from disdukcapil_desk.ui.dialogs.password_dialog import (
    new_password_problem,
    password_edit,
    password_rule,
    reveal_box,
)
from disdukcapil_desk.ui.i18n import QT_TRANSLATE_NOOP
from disdukcapil_desk.ui.messages import ask_yes_no
from disdukcapil_desk.ui.palette import colour, set_tone

COLUMNS = (
    QT_TRANSLATE_NOOP("UsersTab", "Login"),
    QT_TRANSLATE_NOOP("UsersTab", "Nama"),
    QT_TRANSLATE_NOOP("UsersTab", "Peran"),
    QT_TRANSLATE_NOOP("UsersTab", "Lokasi"),
    QT_TRANSLATE_NOOP("UsersTab", "Aktif"),
    QT_TRANSLATE_NOOP("UsersTab", "Terkunci s.d."),
    QT_TRANSLATE_NOOP("UsersTab", "Wajib ganti sandi"),
)
INACTIVE = colour("inactive")
Locations = Sequence[tuple[str, str]]
T = TypeVar("T", UserRow, UserChange)


@dataclass(frozen=True)
class NewUser:
    """What the "Tambah pengguna" form asks."""

    login: str
    full_name: str
    role: Role
    location_code: str | None
    password: str


class UsersTab(AdminTab):
    """The list of users and the administrator's actions on the selected one.

    The list re-reads itself when the change bus says users changed.
    """

    OBJECT_NAME = "usersTab"

    def _build(self) -> None:
        """Build the table and buttons; ``load`` fills them."""
        self.users: list[UserRow] = []
        self.locations: list[tuple[str, str]] = []
        self._after_change: tuple[str | None, str] = (None, "")
        """Whom to select and what to say once the list shows the last change."""
        self._runner.changes.changed.connect(self._on_changes)
        self.table = _users_table(self)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.add_button = _button(self, self.tr("&Tambah pengguna…"), self.add_user)
        self.reset_button = _button(self, self.tr("Atur ulang &kata sandi…"), self.reset_password)
        self.unlock_button = _button(self, self.tr("&Buka kunci"), self.unlock)
        self.active_button = _button(self, self.tr("&Nonaktifkan"), self.toggle_active)
        self.role_button = _button(self, self.tr("Ubah &peran/lokasi…"), self.change_role)
        self.state = QLabel("", self)
        self.state.setObjectName("usersState")
        self.state.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addWidget(self.add_button)
        actions.addStretch(1)
        for button in (self.reset_button, self.unlock_button, self.active_button, self.role_button):
            actions.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.state)
        self._selection_changed()

    # -- loading -------------------------------------------------------------------------------

    def load(self, select: str | None = None, said: str = "") -> None:
        """Read the users (and the offices, once) in the worker; keep ``select`` selected.

        ``said`` (what the last change did) is shown with the list that shows it.
        """
        current = self.selected()
        keep = select or (current.login if current else None)
        if not self.locations:
            self._runner.run(self._session.locations, self._show_locations, self._show_error)
        self._runner.run(
            self._session.users,
            lambda users: self._show_users(users, keep, said),
            self._show_error,
        )

    def _on_changes(self, changes: Changes) -> None:
        if changes.users:
            (select, said), self._after_change = self._after_change, (None, "")
            self.load(select=select, said=said)

    def _show_locations(self, locations: list[tuple[str, str]]) -> None:
        self.locations = list(locations)

    def _show_users(self, users: list[UserRow], select: str | None, said: str = "") -> None:
        self.users = list(users)
        self.table.setRowCount(len(users))
        for row, user in enumerate(users):
            for column, text in enumerate(_cells(user)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, user.login)
                if not user.active:
                    item.setForeground(QBrush(INACTIVE))
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        logins = [u.login for u in users]
        if select in logins:
            self.table.selectRow(logins.index(select))
        self._selection_changed()
        if said:
            self.state.setText(said)

    def selected(self) -> UserRow | None:
        """The user of the selected row."""
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.users):
            return None
        return self.users[rows[0].row()]

    def _selection_changed(self) -> None:
        user = self.selected()
        for button in (self.reset_button, self.unlock_button, self.active_button, self.role_button):
            button.setEnabled(user is not None)
        if user is None:
            return
        self.unlock_button.setEnabled(user.locked_until is not None)
        self.active_button.setText(self.tr("&Nonaktifkan") if user.active else self.tr("&Aktifkan"))
        myself = user.login == self._session.actor.login
        self.active_button.setEnabled(not (myself and user.active))
        self.active_button.setToolTip(
            self.tr("Akun sendiri tidak dapat dinonaktifkan") if myself else ""
        )

    # -- actions -------------------------------------------------------------------------------

    def add_user(self) -> None:
        """Ask for a new user's data and create them."""
        new = self.ask_new_user()
        if new is None:
            return
        self._change(
            lambda: self._session.add_user(
                new.login,
                new.password,
                new.role,
                full_name=new.full_name,
                location_code=new.location_code,
            ),
            lambda row: self.tr("Pengguna {login} ({role}) ditambahkan.").format(
                login=row.login, role=row.role.label
            ),
        )

    def reset_password(self) -> None:
        """Give the selected user a new password (to change at their next login)."""
        user = self.selected()
        answer = self.ask_reset(user) if user else None
        if user is None or answer is None:
            return
        password, force = answer
        then = self.tr(" Wajib diganti saat masuk berikutnya.") if force else ""
        self._change(
            lambda: self._session.reset_password(user.login, password, force_change=force),
            lambda change: (
                self.tr("Kata sandi {login} diatur ulang.").format(login=change.user.login) + then
            ),
        )

    def unlock(self) -> None:
        """Lift the lock of the selected account."""
        user = self.selected()
        if user is not None:
            self._change(
                lambda: self._session.unlock_user(user.login),
                lambda change: _said(change, self.tr("kuncinya dibuka"), self.tr("tidak terkunci")),
            )

    def toggle_active(self) -> None:
        """Deactivate the selected user (after a confirmation) or activate them again."""
        user = self.selected()
        if user is None:
            return
        if not user.active:
            self._change(
                lambda: self._session.activate_user(user.login),
                lambda change: _said(change, self.tr("diaktifkan kembali"), self.tr("sudah aktif")),
            )
        elif self.confirm_deactivate(user):
            self._change(
                lambda: self._session.deactivate_user(user.login),
                lambda change: _said(change, self.tr("dinonaktifkan"), self.tr("sudah nonaktif")),
            )

    def change_role(self) -> None:
        """Ask for the selected user's new role and location; apply them."""
        user = self.selected()
        answer = self.ask_role(user) if user else None
        if user is None or answer is None:
            return
        role, location = answer
        self._change(
            lambda: self._session.set_user_role(user.login, role, location or ""),
            lambda change: _said(
                change,
                self.tr("sekarang {role} di {location}").format(
                    role=change.user.role.label, location=change.user.location_code or "-"
                ),
                self.tr("tidak berubah"),
            ),
        )

    def _change(self, work: Callable[[], T], describe: Callable[[T], str]) -> None:
        """Run one change in the worker; the list re-reads itself and says what it did."""
        set_tone(self.state, "")
        self.state.setText(self.tr("Menyimpan…"))

        def done(result: T) -> None:
            changed = result.user if isinstance(result, UserChange) else result
            self._after_change = (changed.login, describe(result))

        def failed(error: BaseException) -> None:
            set_tone(self.state, "error")
            self.state.setText(self.tr("Tidak disimpan."))
            self._show_error(error)

        self._runner.run(work, done, failed)

    # -- questions (replaced in tests) ------------------------------------------------------------

    def ask_new_user(self) -> NewUser | None:
        """The "Tambah pengguna" form; None when cancelled."""
        dialog = NewUserDialog(self.locations, self)
        return dialog.new_user() if dialog.exec() else None

    def ask_reset(self, user: UserRow) -> tuple[str, bool] | None:
        """The new password and whether it must be changed; None when cancelled."""
        dialog = ResetPasswordDialog(user, self)
        return (dialog.new.text(), dialog.force.isChecked()) if dialog.exec() else None

    def ask_role(self, user: UserRow) -> tuple[Role, str | None] | None:
        """The new role and location; None when cancelled."""
        dialog = RoleDialog(user, self.locations, self)
        return (dialog.role(), dialog.location()) if dialog.exec() else None

    def confirm_deactivate(self, user: UserRow) -> bool:
        """Ask before a user loses access."""
        return ask_yes_no(
            self,
            self.tr("Nonaktifkan pengguna"),
            self.tr(
                "{user.full_name} ({user.login}) tidak akan dapat masuk lagi; "
                "permohonan yang sedang dipegangnya kembali ke antrean. Lanjutkan?"
            ).format(user=user),
            yes=self.tr("Nonaktifkan"),
            no=self.tr("Batal"),
        )


class ResetPasswordDialog(QDialog):
    """A new password for a user who forgot theirs, typed twice."""

    def __init__(self, user: UserRow, parent: QWidget | None = None) -> None:
        """The form; "Wajib diganti saat masuk" is ticked."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Atur ulang kata sandi"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(self.tr("<b>{user.full_name}</b> ({user.login})").format(user=user), self)
        )
        form = QFormLayout()
        self.new = password_edit(self, "resetPassword")
        self.repeat = password_edit(self, "resetRepeat")
        form.addRow(self.tr("Kata sandi &baru"), self.new)
        form.addRow(self.tr("&Ulangi kata sandi"), self.repeat)
        layout.addLayout(form)
        layout.addWidget(_hint(password_rule(), self))
        layout.addWidget(reveal_box(self, [self.new, self.repeat]))
        self.force = QCheckBox(self.tr("&Wajib diganti saat masuk berikutnya"), self)
        self.force.setChecked(True)
        layout.addWidget(self.force)
        self.message = _error_label(self)
        layout.addWidget(self.message)
        layout.addWidget(DialogButtons(self, self.tr("&Atur ulang"), on_accept=self.check))
        self.setMinimumWidth(420)

    def check(self) -> None:
        """Accept only a password the desk would take."""
        problem = new_password_problem(self.new.text(), self.repeat.text())
        if problem:
            self.message.setText(problem)
            return
        self.accept()


class RoleDialog(QDialog):
    """A user's role and location."""

    def __init__(self, user: UserRow, locations: Locations, parent: QWidget | None = None) -> None:
        """Both choices start at the user's current values."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Ubah peran/lokasi"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(self.tr("<b>{user.full_name}</b> ({user.login})").format(user=user), self)
        )
        form = QFormLayout()
        self.roles = _role_box(self, user.role)
        self.locations = _location_box(self, locations, user.location_code)
        form.addRow(self.tr("&Peran"), self.roles)
        form.addRow(self.tr("&Lokasi"), self.locations)
        layout.addLayout(form)
        layout.addWidget(
            _hint(
                self.tr(
                    "Permohonan yang sedang dipegang pengguna ini kembali ke antrean. "
                    "Perubahan berlaku saat ia masuk berikutnya."
                ),
                self,
            )
        )
        layout.addWidget(DialogButtons(self, self.tr("&Simpan")))
        self.setMinimumWidth(420)

    def role(self) -> Role:
        """The chosen role."""
        return Role(self.roles.currentData())

    def location(self) -> str | None:
        """The chosen location (None: none)."""
        return self.locations.currentData() or None


class NewUserDialog(QDialog):
    """Login, name, role, location and a first password (typed twice)."""

    def __init__(self, locations: Locations, parent: QWidget | None = None) -> None:
        """An empty form."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Tambah pengguna"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.login = QLineEdit(self)
        self.full_name = QLineEdit(self)
        self.roles = _role_box(self, Role.COUNTER)
        self.locations = _location_box(self, locations, "DINAS")
        self.password = password_edit(self, "newUserPassword")
        self.repeat = password_edit(self, "newUserRepeat")
        form.addRow(self.tr("&Login"), self.login)
        form.addRow(self.tr("&Nama lengkap"), self.full_name)
        form.addRow(self.tr("&Peran"), self.roles)
        form.addRow(self.tr("Lo&kasi"), self.locations)
        form.addRow(self.tr("Kata &sandi"), self.password)
        form.addRow(self.tr("&Ulangi kata sandi"), self.repeat)
        layout.addLayout(form)
        layout.addWidget(_hint(password_rule(), self))
        self.message = _error_label(self)
        layout.addWidget(self.message)
        layout.addWidget(DialogButtons(self, self.tr("&Tambah"), on_accept=self.check))
        self.setMinimumWidth(460)

    def check(self) -> None:
        """Accept a complete form (the operation checks the login's characters)."""
        problem = new_password_problem(self.password.text(), self.repeat.text())
        if not self.login.text().strip():
            problem = self.tr("Login wajib diisi")
        if problem:
            self.message.setText(problem)
            return
        self.accept()

    def new_user(self) -> NewUser:
        """The form's content."""
        return NewUser(
            self.login.text().strip(),
            self.full_name.text().strip(),
            Role(self.roles.currentData()),
            self.locations.currentData() or None,
            self.password.text(),
        )


def _users_table(parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(COLUMNS), parent)
    table.setObjectName("usersTable")
    table.setHorizontalHeaderLabels([QCoreApplication.translate("UsersTab", c) for c in COLUMNS])
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    table.setAlternatingRowColors(True)
    return table


def _cells(user: UserRow) -> tuple[str, ...]:
    locked = f"{user.locked_until.astimezone():%d-%m %H:%M}" if user.locked_until else ""
    return (
        user.login,
        user.full_name,
        user.role.label,
        user.location_code or "-",
        QCoreApplication.translate("UsersTab", "Ya")
        if user.active
        else QCoreApplication.translate("UsersTab", "Tidak"),
        locked,
        QCoreApplication.translate("UsersTab", "Ya") if user.must_change_password else "",
    )


def _said(change: UserChange, done: str, already: str) -> str:
    text = QCoreApplication.translate("UsersTab", "Pengguna {login} {what}.").format(
        login=change.user.login, what=done if change.changed else already
    )
    if change.released:
        text += QCoreApplication.translate(
            "UsersTab", " {0} permohonan yang dipegangnya kembali ke antrean."
        ).format(len(change.released))
    return text


def _button(parent: QWidget, text: str, slot: Callable[[], None]) -> QPushButton:
    button = QPushButton(text, parent)
    button.clicked.connect(slot)
    return button


def _hint(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    set_tone(label, "hint")
    return label


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel("", parent)
    set_tone(label, "error")
    label.setWordWrap(True)
    return label


def _role_box(parent: QWidget, current: Role) -> QComboBox:
    box = QComboBox(parent)
    for role in Role:
        box.addItem(role.label, role.value)
    box.setCurrentIndex(box.findData(current.value))
    return box


def _location_box(parent: QWidget, locations: Locations, current: str | None) -> QComboBox:
    box = QComboBox(parent)
    box.addItem(QCoreApplication.translate("users_tab", "(tanpa lokasi)"), "")
    for code, name in locations:
        box.addItem(f"{code} — {name}", code)
    box.setCurrentIndex(max(0, box.findData(current or "")))
    return box
