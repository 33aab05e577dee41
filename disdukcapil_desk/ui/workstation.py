"""Per-workstation and per-user settings, kept in an INI file in the config folder (ui layer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QSettings,
    QStandardPaths,
)

from disdukcapil_desk import APP_NAME
from disdukcapil_desk.operations.connection import DatabaseConfig
from disdukcapil_desk.ui.i18n import QT_TRANSLATE_NOOP

DEFAULT_IDLE_MINUTES = 10
TEXT_SCALES = (100, 115, 130)
"""Text sizes a workstation may choose, in percent of the system font."""
RECEIPT_PROFILES = {
    "a4": QT_TRANSLATE_NOOP("SettingsDialog", "A4 (printer kantor)"),
    "slip": QT_TRANSLATE_NOOP("SettingsDialog", "Struk 80 mm (printer loket)"),
}
SETTINGS_VERSION = 1


def default_documents_dir() -> Path:
    """The user's documents folder (``Documents``, ``Dokumen``…) / ``Disdukcapil Desk``."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents or Path.home()) / APP_NAME


class WorkstationSettings:
    """This workstation's database, location and idle lock; each user's window layout."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the settings file."""
        self._settings = QSettings(str(path), QSettings.Format.IniFormat)
        if self._settings.value("version") is None:
            self._settings.setValue("version", SETTINGS_VERSION)

    @property
    def configured(self) -> bool:
        """Whether the first-start dialog has been completed."""
        return self._settings.value("database/kind") is not None and bool(self.location)

    def database(self) -> DatabaseConfig:
        """Return the saved database choice (local SQLite when none)."""
        s = self._settings
        return DatabaseConfig(
            kind=str(s.value("database/kind", "sqlite")),
            host=str(s.value("database/host", "")),
            port=int(str(s.value("database/port", 5432))),
            name=str(s.value("database/name", "disdukcapil")),
            user=str(s.value("database/user", "desk")),
        )

    def set_database(self, config: DatabaseConfig) -> None:
        """Save the database choice (never a password)."""
        for key in ("kind", "host", "port", "name", "user"):
            self._settings.setValue(f"database/{key}", getattr(config, key))

    @property
    def location(self) -> str:
        """The office this workstation belongs to (``DINAS``, ``UPT-05``…)."""
        return str(self._settings.value("workstation/location", ""))

    def set_location(self, code: str) -> None:
        """Save this workstation's office."""
        self._settings.setValue("workstation/location", code)

    @property
    def receipt_profile(self) -> str:
        """How this desk prints receipts: ``a4`` or ``slip`` (an 80 mm counter printer)."""
        value = str(self._settings.value("workstation/receipt_profile", "a4"))
        return value if value in RECEIPT_PROFILES else "a4"

    def set_receipt_profile(self, profile: str) -> None:
        """Save the receipt printer profile."""
        if profile not in RECEIPT_PROFILES:
            raise ValueError(f"unknown receipt profile: {profile}")
        self._settings.setValue("workstation/receipt_profile", profile)

    @property
    def documents_dir(self) -> Path:
        """Where documents and recaps are saved: the folder the officer chose last on this
        workstation, else :func:`default_documents_dir` (never a shared temporary folder)."""
        saved = str(self._settings.value("workstation/documents_dir", "") or "")
        return Path(saved) if saved else default_documents_dir()

    def set_documents_dir(self, folder: Path) -> None:
        """Remember the folder the officer chose for documents and recaps."""
        self._settings.setValue("workstation/documents_dir", str(folder))

    @property
    def idle_minutes(self) -> int:
        """Minutes without input before the screen locks."""
        return int(str(self._settings.value("workstation/idle_minutes", DEFAULT_IDLE_MINUTES)))

    def set_idle_minutes(self, minutes: int) -> None:
        """Save the idle-lock delay."""
        self._settings.setValue("workstation/idle_minutes", max(1, minutes))

    @property
    def text_scale(self) -> int:
        """This workstation's text size in percent (100, 115 or 130)."""
        try:
            value = int(str(self._settings.value("workstation/text_scale", 100)))
        except ValueError:
            return 100
        return value if value in TEXT_SCALES else 100

    def set_text_scale(self, percent: int) -> None:
        """Save the text size (one of ``TEXT_SCALES``)."""
        if percent not in TEXT_SCALES:
            raise ValueError(f"unknown text size: {percent}")
        self._settings.setValue("workstation/text_scale", percent)

    def user_bytes(self, login: str, key: str) -> QByteArray | None:
        """Return a saved layout blob (geometry, header state) of a user."""
        value = self._settings.value(f"users/{login}/{key}")
        return value if isinstance(value, QByteArray) else None

    def user_value(self, login: str, key: str, default: Any = None) -> Any:
        """Return a saved per-user value."""
        return self._settings.value(f"users/{login}/{key}", default)

    def set_user_value(self, login: str, key: str, value: Any) -> None:
        """Save a per-user value (window layout, filters)."""
        self._settings.setValue(f"users/{login}/{key}", value)

    def sync(self) -> None:
        """Write to disk now."""
        self._settings.sync()
