"""Per-workstation and per-user settings in the INI file of the config folder (ui layer).

The workstation's own choices — database, office, text size, receipt printer, idle lock, the
documents folder — are read and written through :class:`disdukcapil_desk.settings.WorkstationFile`,
the Qt-free module the command line reads too. Only what is Qt's alone stays with ``QSettings``
here: each officer's window geometry, header state and filters (``[users]``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QSettings,
    QStandardPaths,
)

from disdukcapil_desk import APP_NAME
from disdukcapil_desk.domain.database import DatabaseConfig
from disdukcapil_desk.settings import (
    DEFAULT_IDLE_MINUTES,
    RECEIPT_PROFILES,
    SETTINGS_VERSION,
    TEXT_SCALES,
    WorkstationFile,
)

__all__ = [
    "DEFAULT_IDLE_MINUTES",
    "RECEIPT_PROFILES",
    "SETTINGS_VERSION",
    "TEXT_SCALES",
    "WorkstationSettings",
    "default_documents_dir",
]


def default_documents_dir() -> Path:
    """The user's documents folder (``Documents``, ``Dokumen``…) / ``Disdukcapil Desk``."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents or Path.home()) / APP_NAME


class WorkstationSettings:
    """This workstation's database, location and idle lock; each user's window layout."""

    def __init__(self, path: Path) -> None:
        """Open the settings file (created on the first change)."""
        self.shared = WorkstationFile(path)
        self._settings = QSettings(str(path), QSettings.Format.IniFormat)

    @property
    def configured(self) -> bool:
        """Whether the first-start dialog has been completed."""
        return self.shared.configured

    def database(self) -> DatabaseConfig:
        """Return the saved database choice (local SQLite when none)."""
        return self.shared.database() or DatabaseConfig()

    def set_database(self, config: DatabaseConfig) -> None:
        """Save the database choice (never a password)."""
        self.shared.set_database(config)

    @property
    def location(self) -> str:
        """The office this workstation belongs to (``DINAS``, ``UPT-05``…)."""
        return self.shared.location

    def set_location(self, code: str) -> None:
        """Save this workstation's office."""
        self.shared.set_location(code)

    @property
    def receipt_profile(self) -> str:
        """How this desk prints receipts: ``a4`` or ``slip`` (an 80 mm counter printer)."""
        return self.shared.receipt_profile

    def set_receipt_profile(self, profile: str) -> None:
        """Save the receipt printer profile."""
        self.shared.set_receipt_profile(profile)

    @property
    def documents_dir(self) -> Path:
        """Where documents and recaps are saved: the folder the officer chose last on this
        workstation, else :func:`default_documents_dir` (never a shared temporary folder).
        """
        return self.shared.documents_dir or default_documents_dir()

    def set_documents_dir(self, folder: Path) -> None:
        """Remember the folder the officer chose for documents and recaps."""
        self.shared.set_documents_dir(folder)

    @property
    def idle_minutes(self) -> int:
        """Minutes without input before the screen locks."""
        return self.shared.idle_minutes

    def set_idle_minutes(self, minutes: int) -> None:
        """Save the idle-lock delay."""
        self.shared.set_idle_minutes(minutes)

    @property
    def text_scale(self) -> int:
        """This workstation's text size in percent (100, 115 or 130)."""
        return self.shared.text_scale

    def set_text_scale(self, percent: int) -> None:
        """Save the text size (one of ``TEXT_SCALES``)."""
        self.shared.set_text_scale(percent)

    @property
    def offline_capable(self) -> bool:
        """Whether this workstation keeps a local copy and works on without the server."""
        return self.shared.offline_capable

    def set_offline_capable(self, on: bool) -> None:
        """Mark this workstation offline-capable (or not)."""
        self.shared.set_offline_capable(on)

    @property
    def offline_block_size(self) -> int:
        """Request numbers this workstation reserves per day for working offline."""
        return self.shared.offline_block_size

    def set_offline_block_size(self, size: int) -> None:
        """Save the block size."""
        self.shared.set_offline_block_size(size)

    def workstation_id(self) -> str:
        """This workstation's name in number blocks and journals (made once)."""
        return self.shared.workstation_id()

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
        """Write the window's own values to disk now (and read what others wrote)."""
        self._settings.sync()
