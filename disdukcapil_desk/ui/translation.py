"""Qt's own words in Bahasa Indonesia (ui layer).

Qt ships no Indonesian translation, so its standard buttons ("Cancel", "&Yes"), the file and
print dialogs and the text fields' context menus would speak English in an Indonesian desk. This
translator answers Qt's lookups from a small table of exactly those texts; everything else falls
through to the source text.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTranslator

_BUTTONS = {
    "OK": "OK",
    "Save": "Simpan",
    "Save All": "Simpan semua",
    "Open": "Buka",
    "&Yes": "&Ya",
    "Yes to &All": "Ya untuk &semua",
    "&No": "&Tidak",
    "N&o to All": "T&idak untuk semua",
    "Abort": "Hentikan",
    "Retry": "Coba lagi",
    "Ignore": "Abaikan",
    "Close": "Tutup",
    "Cancel": "Batal",
    "Discard": "Buang",
    "Help": "Bantuan",
    "Apply": "Terapkan",
    "Reset": "Atur ulang",
    "Restore Defaults": "Kembalikan bawaan",
}

_FILE_DIALOG = {
    "Look in:": "Cari di:",
    "File &name:": "&Nama berkas:",
    "Files of type:": "Jenis berkas:",
    "&Open": "&Buka",
    "&Save": "&Simpan",
    "&Choose": "&Pilih",
    "Cancel": "Batal",
    "Back": "Kembali",
    "Forward": "Maju",
    "Parent Directory": "Folder induk",
    "Create New Folder": "Buat folder baru",
    "List View": "Tampilan daftar",
    "Detail View": "Tampilan rinci",
    "Directory:": "Folder:",
    "Name": "Nama",
    "Size": "Ukuran",
    "Type": "Jenis",
    "Date Modified": "Tanggal diubah",
    "New Folder": "Folder baru",
    "&Delete": "&Hapus",
    "&Rename": "&Ganti nama",
    "Show &hidden files": "Tampilkan berkas &tersembunyi",
    "All Files (*)": "Semua berkas (*)",
    "%1 already exists.\nDo you want to replace it?": "%1 sudah ada.\nGanti dengan yang baru?",
}

_PRINT_DIALOG = {
    "Print": "Cetak",
    "&Print": "&Cetak",
    "Printer": "Printer",
    "&Options >>": "&Pilihan >>",
    "&Options <<": "&Pilihan <<",
    "Print to File (PDF)": "Cetak ke berkas (PDF)",
    "Local file": "Berkas lokal",
    "Output &file:": "&Berkas keluaran:",
    "Copies": "Salinan",
    "Print all": "Semua halaman",
    "Pages from": "Halaman dari",
    "to": "sampai",
    "Print range": "Rentang cetak",
    "Current Page": "Halaman ini",
    "Selection": "Pilihan",
    "Collate": "Susun",
    "Reverse": "Urutan terbalik",
    "&Properties": "&Properti",
    "Properties": "Properti",
    "Print Preview": "Pratinjau cetak",
}

_TEXT_MENU = {
    "&Undo": "&Urungkan",
    "&Redo": "&Ulangi",
    "Cu&t": "Po&tong",
    "&Copy": "&Salin",
    "&Paste": "T&empel",
    "Delete": "Hapus",
    "Select All": "Pilih semua",
}

TRANSLATIONS: dict[str, dict[str, str]] = {
    "QPlatformTheme": _BUTTONS,
    "QDialogButtonBox": _BUTTONS,
    "QMessageBox": {**_BUTTONS, "Show Details...": "Rincian...", "Hide Details...": "Sembunyikan"},
    "QFileDialog": _FILE_DIALOG,
    "QFileSystemModel": _FILE_DIALOG,
    "QPrintDialog": _PRINT_DIALOG,
    "QAbstractPrintDialog": _PRINT_DIALOG,
    "QPrintPropertiesWidget": _PRINT_DIALOG,
    "QPrintSettingsOutput": _PRINT_DIALOG,
    "QUnixPrintWidget": _PRINT_DIALOG,
    "QLineEdit": _TEXT_MENU,
    "QWidgetTextControl": _TEXT_MENU,
    "QInputDialog": _BUTTONS,
}


class IndonesianQtTranslator(QTranslator):
    """Answers Qt's own texts from :data:`TRANSLATIONS`; None lets Qt keep its source text."""

    def translate(
        self,
        context: str,
        source_text: str,
        disambiguation: str | None = None,
        n: int = -1,
    ) -> str | None:
        """Return the Indonesian text of a Qt string, or None when not in the table."""
        return TRANSLATIONS.get(context, {}).get(source_text)


def install_indonesian(app: QCoreApplication) -> IndonesianQtTranslator:
    """Install the translator on ``app``; keep the returned object alive with the app."""
    translator = IndonesianQtTranslator(app)
    QCoreApplication.installTranslator(translator)
    return translator
