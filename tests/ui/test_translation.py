"""Qt's own buttons and menus speak Bahasa Indonesia."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog

from disdukcapil_desk.ui.translation import install_indonesian


@pytest.fixture
def indonesian(qapp: QApplication) -> Iterator[None]:
    translator = install_indonesian(qapp)
    yield
    QCoreApplication.removeTranslator(translator)


def test_standard_buttons_and_file_dialog_are_indonesian(indonesian: None) -> None:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Yes
        | QDialogButtonBox.StandardButton.No
        | QDialogButtonBox.StandardButton.Cancel
    )
    assert sorted(b.text() for b in box.buttons()) == ["&Tidak", "&Ya", "Batal"]
    assert QCoreApplication.translate("QFileDialog", "File &name:") == "&Nama berkas:"
    dialog = QFileDialog(None, "Simpan PDF")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    texts = {dialog.labelText(label) for label in QFileDialog.DialogLabel}
    assert "&Nama berkas:" in texts and "Batal" in texts
    assert QCoreApplication.translate("QPlatformTheme", "Unknown text") == "Unknown text"


def test_without_the_translator_qt_speaks_english(qapp: QApplication) -> None:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert box.buttons()[0].text() == "Cancel"
