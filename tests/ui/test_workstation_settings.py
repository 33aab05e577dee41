"""One settings file for the window and the command line: what QSettings wrote, the Qt-free
module reads; what the module writes, QSettings reads back, window layouts untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings

from disdukcapil_desk.domain.database import POSTGRESQL, SQLITE, DatabaseConfig
from disdukcapil_desk.settings import IniFile, WorkstationFile, escape_value, unescape_value
from disdukcapil_desk.ui.workstation import WorkstationSettings

GEOMETRY = QByteArray(b'\x01\xd9\xd0\xcb\x00\x03\x00\x00=\n\\",;x\x00\xff')
FILTERS = {"status": "new", "mine": True, "location": "UPT-05"}
AWKWARD = [
    "/home/ani/Dokumen Kantor, 2026/é; x=1",
    ' lead\\ "q" \n@at ',
    "@ByteArray(not really)",
    "tab\there\x01\x7f",
    "ß∑ — Kecamatan Ciruas",
    "",
]


def _written_by_qt(path: Path) -> None:
    """A settings file as the window wrote it before the shared module existed."""
    qt = QSettings(str(path), QSettings.Format.IniFormat)
    qt.setValue("version", 1)
    for key, value in {
        "kind": POSTGRESQL,
        "host": "db.kantor",
        "port": 5433,
        "name": "disdukcapil",
        "user": "desk",
    }.items():
        qt.setValue(f"database/{key}", value)
    qt.setValue("workstation/location", "UPT-05")
    qt.setValue("workstation/text_scale", 115)
    qt.setValue("workstation/documents_dir", AWKWARD[0])
    qt.setValue("workstation/receipt_profile", "slip")
    qt.setValue("users/ani.s/geometry", GEOMETRY)
    qt.setValue("users/ani.s/filters", FILTERS)
    qt.setValue("users/_last/login", "ani.s")
    qt.sync()
    assert qt.status() == QSettings.Status.NoError


def test_the_shared_module_reads_what_qsettings_wrote(tmp_path: Path) -> None:
    path = tmp_path / "workstation.ini"
    _written_by_qt(path)
    shared = WorkstationFile(path)
    assert shared.database() == DatabaseConfig(POSTGRESQL, "db.kantor", 5433, "disdukcapil", "desk")
    assert shared.location == "UPT-05" and shared.configured
    assert shared.text_scale == 115 and shared.receipt_profile == "slip"
    assert shared.documents_dir == Path(AWKWARD[0])


def test_writes_keep_window_layouts_and_qsettings_reads_them_back(tmp_path: Path) -> None:
    path = tmp_path / "workstation.ini"
    _written_by_qt(path)
    before = path.read_text(encoding="utf-8").splitlines()
    shared = WorkstationFile(path)
    shared.set_database(DatabaseConfig(SQLITE))
    shared.set_location("DINAS")
    shared.set_text_scale(130)
    shared.set_idle_minutes(7)
    after = path.read_text(encoding="utf-8").splitlines()
    layouts = [line for line in before if line.startswith(("ani.s\\", "_last\\"))]
    assert len(layouts) == 3 and "@ByteArray(" in "".join(layouts)
    assert all(line in after for line in layouts)  # the @ByteArray/@Variant lines, verbatim
    assert [line for line in after if line.startswith("documents_dir=")] == [
        line for line in before if line.startswith("documents_dir=")
    ]

    qt = QSettings(str(path), QSettings.Format.IniFormat)
    assert qt.value("users/ani.s/geometry") == GEOMETRY
    assert qt.value("users/ani.s/filters") == FILTERS
    assert qt.value("database/kind") == SQLITE and qt.value("database/host") == ""
    assert qt.value("workstation/location") == "DINAS"
    assert qt.value("workstation/text_scale") == "130"
    assert qt.value("workstation/idle_minutes") == "7"
    assert qt.value("users/_last/login") == "ani.s" and qt.value("version") == "1"


@pytest.mark.parametrize("value", AWKWARD)
def test_values_escape_as_qsettings_does(tmp_path: Path, value: str) -> None:
    path = tmp_path / "w.ini"
    IniFile(path).update({("workstation", "documents_dir"): value})
    assert QSettings(str(path), QSettings.Format.IniFormat).value("workstation/documents_dir") == (
        value
    )
    qt_path = tmp_path / "qt.ini"
    qt = QSettings(str(qt_path), QSettings.Format.IniFormat)
    qt.setValue("workstation/documents_dir", value)
    qt.sync()
    assert IniFile(qt_path).get("workstation", "documents_dir") == value
    assert unescape_value(escape_value(value)) == value


def test_the_window_and_the_module_share_one_file(tmp_path: Path) -> None:
    """The window's unsynced layout and the module's database choice both survive."""
    path = tmp_path / "workstation.ini"
    window = WorkstationSettings(path)
    window.set_user_value("ani.s", "geometry", GEOMETRY)
    window.set_database(DatabaseConfig(POSTGRESQL, "db.kantor"))
    window.set_location("UPT-05")
    window.set_text_scale(115)
    window.sync()
    command_line = WorkstationFile(path)
    assert command_line.database() == DatabaseConfig(POSTGRESQL, "db.kantor")
    assert command_line.location == "UPT-05" and command_line.text_scale == 115
    command_line.set_text_scale(100)
    again = WorkstationSettings(path)
    assert again.user_bytes("ani.s", "geometry") == GEOMETRY
    assert again.text_scale == 100 and again.database().host == "db.kantor"


def test_a_new_file_has_no_database_choice(tmp_path: Path) -> None:
    shared = WorkstationFile(tmp_path / "none.ini")
    assert shared.database() is None and not shared.configured
    assert WorkstationSettings(tmp_path / "none.ini").database() == DatabaseConfig()
