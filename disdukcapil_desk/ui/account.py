"""The officer's account button at the right of the toolbar: change password, log out (ui layer)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QSizePolicy, QToolBar, QToolButton, QWidget

from disdukcapil_desk.domain.dto import Actor

LOGOUT_KEYS = "Ctrl+Shift+L"


def add_account_button(
    toolbar: QToolBar,
    actor: Actor,
    change_password: Callable[[], object],
    log_out: Callable[[], object],
    pages: Sequence[QWidget | None] = (),
    extras: Sequence[QAction | QMenu] = (),
) -> dict[str, QAction]:
    """Put the officer's login at the right end of ``toolbar``, with its menu; return its actions.

    The actions belong to the button and to the working ``pages`` (not the lock screen): their
    shortcuts work while one of those is shown, even when a narrow window folds the button
    into the toolbar's overflow, and never while the idle lock covers the window. ``extras``
    (the workstation's text size, "Tentang") follow in the same menu, below a line: seldom
    used, they need no room of their own on a toolbar that must fit 1366 pixels at 125 %.
    """
    spacer = QWidget(toolbar)
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    toolbar.addWidget(spacer)
    button = QToolButton(toolbar)
    button.setObjectName("accountButton")
    button.setText(f"{actor.login} ▾")
    button.setToolTip(
        QCoreApplication.translate(
            "account", "{0}: ganti kata sandi, keluar akun ({LOGOUT_KEYS}), ukuran teks, tentang"
        ).format(actor.full_name or actor.login, LOGOUT_KEYS=LOGOUT_KEYS)
    )
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    password = QAction(QCoreApplication.translate("account", "Ganti &kata sandi…"), button)
    password.setObjectName("changePasswordAction")
    password.triggered.connect(change_password)
    logout = QAction(QCoreApplication.translate("account", "&Keluar akun (ganti petugas)"), button)
    logout.setObjectName("logoutAction")
    logout.setShortcut(QKeySequence(LOGOUT_KEYS))
    logout.triggered.connect(log_out)
    for page in pages:
        if page is not None:
            page.addActions([password, logout])
    menu = QMenu(button)
    menu.addActions([password, logout])
    if extras:
        menu.addSeparator()
    for extra in extras:
        if isinstance(extra, QMenu):
            menu.addMenu(extra)
        else:
            menu.addAction(extra)
    button.setMenu(menu)
    toolbar.addWidget(button)
    return {"password": password, "logout": logout}
