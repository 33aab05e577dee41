"""The applicant's and the service's fields, editable and checked as the officer types."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.domain.catalogue import FieldType, FormField, Service
from disdukcapil_desk.domain.findings import Finding, Severity
from disdukcapil_desk.domain.intake import parse_date
from disdukcapil_desk.ui.verification.registry import Section, split_fields

NikCheck = Callable[[str, str], list[Finding]]
_SEX = (("", "—"), ("L", "Laki-laki"), ("P", "Perempuan"))
_FINDING_STYLE = {Severity.ERROR: "color: #b71c1c;", Severity.WARNING: "color: #8a5a00;"}


class FieldEditor(QWidget):
    """One field: its input and a line under it for what is wrong with the value."""

    changed = Signal()

    def __init__(self, form_field: FormField, check_nik: NikCheck, parent: QWidget) -> None:
        """Pick the input for the field's type."""
        super().__init__(parent)
        self.field = form_field
        self._check_nik = check_nik
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        self.input: QLineEdit | QComboBox = self._make_input()
        self.input.setObjectName(f"field_{form_field.name}")
        layout.addWidget(self.input)
        self.problem = QLabel("", self)
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)

    def _make_input(self) -> QLineEdit | QComboBox:
        kind = self.field.type
        if kind in (FieldType.SEX, FieldType.CHOICE):
            combo = QComboBox(self)
            options = (
                _SEX
                if kind is FieldType.SEX
                else [("", "—")] + [(c, c.replace("_", " ")) for c in self.field.choices]
            )
            for value, label in options:
                combo.addItem(label, value)
            combo.currentIndexChanged.connect(self._on_changed)
            return combo
        line = QLineEdit(self)
        if kind is FieldType.DATE:
            line.setPlaceholderText("TTTT-BB-HH")
        elif kind in (FieldType.NIK, FieldType.NO_KK):
            line.setMaxLength(24)
            line.setPlaceholderText("16 angka")
        line.textEdited.connect(self._on_changed)
        return line

    def value(self) -> str:
        """The value as entered."""
        if isinstance(self.input, QComboBox):
            return str(self.input.currentData() or "")
        return self.input.text().strip()

    def set_value(self, value: object) -> None:
        """Show a stored value (an unknown choice is kept and shown as it came)."""
        text = "" if value is None else str(value)
        if isinstance(self.input, QComboBox):
            index = self.input.findData(text)
            if index < 0:
                self.input.addItem(text, text)
                index = self.input.count() - 1
            self.input.setCurrentIndex(index)
        else:
            self.input.setText(text)
        self.validate()

    def set_read_only(self, read_only: bool) -> None:
        """Lock the input when the request is held by someone else."""
        if isinstance(self.input, QComboBox):
            self.input.setEnabled(not read_only)
        else:
            self.input.setReadOnly(read_only)

    def validate(self) -> list[Finding]:
        """Check the value now; show and return what is wrong."""
        findings = self._findings()
        shown = [f for f in findings if f.severity in _FINDING_STYLE]
        if shown:
            self.problem.setText("; ".join(f.message for f in shown))
            self.problem.setStyleSheet(_FINDING_STYLE[shown[0].severity])
        self.problem.setVisible(bool(shown))
        return findings

    def _findings(self) -> list[Finding]:
        value, kind = self.value(), self.field.type
        if not value:
            if self.field.required:
                return [Finding("field_missing", Severity.ERROR, "wajib diisi", self.field.name)]
            return []
        if kind is FieldType.NIK:
            return self._check_nik(value, self.field.name)
        if kind is FieldType.DATE and parse_date(value) is None:
            return [
                Finding("field_invalid_date", Severity.ERROR, "tanggal tidak sah", self.field.name)
            ]
        if kind is FieldType.NO_KK and (not value.isdigit() or len(value) != 16):
            return [Finding("kk_length", Severity.ERROR, "No. KK harus 16 angka", self.field.name)]
        return []

    def _on_changed(self) -> None:
        self.validate()
        self.changed.emit()


class FieldsForm(QWidget):
    """All fields of a request, grouped: applicant, special blocks, the service's own."""

    changed = Signal()

    def __init__(
        self, service: Service, check_nik: NikCheck, parent: QWidget | None = None
    ) -> None:
        """Build the groups from the catalogue and the registry."""
        super().__init__(parent)
        self.editors: dict[str, FieldEditor] = {}
        self._check_nik = check_nik
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        applicant, others, blocks = split_fields(service)
        layout.addWidget(self._group("Data pemohon", applicant))
        for section, fields in blocks:
            layout.addWidget(self._block(section, fields))
        if others:
            layout.addWidget(self._group(f"Data {service.name.split('/')[0].strip()}", others))

    def _editor(self, form_field: FormField, parent: QWidget) -> FieldEditor:
        editor = FieldEditor(form_field, self._check_nik, parent)
        editor.changed.connect(self.changed)
        self.editors[form_field.name] = editor
        return editor

    def _group(self, title: str, fields: list[FormField]) -> QGroupBox:
        box = QGroupBox(title, self)
        form = QFormLayout(box)
        for form_field in fields:
            form.addRow(_label(form_field), self._editor(form_field, box))
        return box

    def _block(self, section: Section, fields: list[FormField]) -> QGroupBox:
        box = QGroupBox(section.title, self)
        if not section.paired:
            form = QFormLayout(box)
            for form_field in fields:
                form.addRow(_label(form_field), self._editor(form_field, box))
            return box
        grid = QGridLayout(box)
        sides = (
            (section.left_title, section.left_prefixes),
            (section.right_title, section.right_prefixes),
        )
        for column, (title, prefixes) in enumerate(sides):
            side = Section("", title, prefixes)
            grid.addWidget(QLabel(f"<b>{title}</b>", box), 0, column)
            form = QFormLayout()
            for form_field in (f for f in fields if side.claims(f.name)):
                form.addRow(_short_label(form_field, title), self._editor(form_field, box))
            grid.addLayout(form, 1, column)
        return box

    def load(self, payload: dict[str, object]) -> None:
        """Show the request's payload."""
        for name, editor in self.editors.items():
            editor.blockSignals(True)
            editor.set_value(payload.get(name))
            editor.blockSignals(False)

    def values(self) -> dict[str, object]:
        """Every field's current value."""
        return {name: editor.value() for name, editor in self.editors.items()}

    def set_read_only(self, read_only: bool) -> None:
        """Lock or unlock every input."""
        for editor in self.editors.values():
            editor.set_read_only(read_only)


def _label(form_field: FormField) -> str:
    return form_field.label + (" *" if form_field.required else "")


def _short_label(form_field: FormField, side: str) -> str:
    """Drop the side's name from a label ("NIK ayah" under "Ayah" reads "NIK")."""
    label = form_field.label
    for word in (side, side.lower()):
        label = label.replace(f" {word}", "").replace(f"{word} ", "")
    return (label or form_field.label) + (" *" if form_field.required else "")
