"""The applicant's and the service's fields, editable and checked as the officer types.

Laid out to be read at a glance on a 1366x768 screen: the service's own data first, every
group in two columns and collapsible, dates as dd-mm-yyyy (typed either way, stored ISO),
choices by their words, desa codes with the desa's name beside them, long values from their
start.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from disdukcapil_desk.domain.catalogue import FieldType, FormField, Service
from disdukcapil_desk.domain.documents import choice_words
from disdukcapil_desk.domain.findings import Finding, Severity
from disdukcapil_desk.domain.intake import parse_date
from disdukcapil_desk.ui.i18n import QT_TRANSLATE_NOOP
from disdukcapil_desk.ui.palette import set_tone
from disdukcapil_desk.ui.verification.registry import Section, split_fields

NikCheck = Callable[[str, str], list[Finding]]
NameCheck = Callable[[str, str], list[Finding]]
"""(field, text) → the name rules' findings; none for a field that holds no person's name."""
DesaName = Callable[[str], str]
"""The name (and kecamatan) of a desa code, ``""`` when unknown."""
_SEX = (
    ("", "—"),
    ("L", QT_TRANSLATE_NOOP("FieldsForm", "Laki-laki")),
    ("P", QT_TRANSLATE_NOOP("FieldsForm", "Perempuan")),
)
_FINDING_TONE = {Severity.ERROR: "error", Severity.WARNING: "warning"}
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
LABEL_WIDTH_CHARS = 22
"""Labels wrap after about this many characters, so two columns fit a laptop screen."""


# -- values as shown and as stored --------------------------------------------------------------


def read_date(text: str) -> dt.date | None:
    """A date typed as dd-mm-yyyy (or with / or .) or as yyyy-mm-dd; None when neither."""
    text = text.strip()
    match = _DAY_FIRST.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
    return parse_date(text) if re.match(r"^\d{4}-\d{2}-\d{2}", text) else None


def show_date(value: str) -> str:
    """A stored ISO date as officers read it (dd-mm-yyyy); anything else as it came."""
    date = parse_date(value) if value else None
    return f"{date:%d-%m-%Y}" if date else value


# -- one field --------------------------------------------------------------------------------


class FieldEditor(QWidget):
    """One field: its input (with a desa's name beside it) and a line under it for what is
    wrong with the value.
    """

    changed = Signal()

    def __init__(
        self,
        form_field: FormField,
        check_nik: NikCheck,
        parent: QWidget,
        describe_desa: DesaName | None = None,
        check_name: NameCheck | None = None,
    ) -> None:
        """Pick the input for the field's type."""
        super().__init__(parent)
        self.field = form_field
        self._check_nik = check_nik
        self._check_name = check_name
        self._describe_desa = describe_desa
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        self.input: QLineEdit | QComboBox = self._make_input()
        self.input.setObjectName(f"field_{form_field.name}")
        self.desa_name: QLabel | None = None
        if form_field.type is FieldType.DESA:
            layout.addLayout(self._with_desa_name())
        else:
            layout.addWidget(self.input)
        self.problem = QLabel("", self)
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)

    def _make_input(self) -> QLineEdit | QComboBox:
        kind = self.field.type
        if kind in (FieldType.SEX, FieldType.CHOICE):
            combo = QComboBox(self)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(8)
            options = (
                _SEX
                if kind is FieldType.SEX
                else [("", "—")] + [(c, choice_words(c)) for c in self.field.choices]
            )
            for value, label in options:
                combo.addItem(QCoreApplication.translate("FieldsForm", label), value)
                if value:
                    combo.setItemData(combo.count() - 1, value, Qt.ItemDataRole.ToolTipRole)
            combo.currentIndexChanged.connect(self._on_changed)
            return combo
        line = QLineEdit(self)
        if kind is FieldType.DATE:
            line.setPlaceholderText(self.tr("HH-BB-TTTT"))
            line.setToolTip(self.tr("Ketik HH-BB-TTTT (20-10-2026) atau TTTT-BB-HH (2026-10-20)"))
        elif kind in (FieldType.NIK, FieldType.NO_KK):
            line.setMaxLength(24)
            line.setPlaceholderText(self.tr("16 angka"))
        elif kind is FieldType.DESA:
            line.setPlaceholderText(self.tr("kode desa"))
        line.textEdited.connect(self._on_changed)
        return line

    def _with_desa_name(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(6)
        self.input.setMaximumWidth(self.input.fontMetrics().horizontalAdvance("36.04.05.2001") + 18)
        row.addWidget(self.input)
        self.desa_name = QLabel("", self)
        self.desa_name.setObjectName(f"desa_{self.field.name}")
        self.desa_name.setWordWrap(True)
        self.desa_name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.addWidget(self.desa_name, 1)
        return row

    def value(self) -> str:
        """The value as it is stored (a date as ISO when it reads as one)."""
        if isinstance(self.input, QComboBox):
            return str(self.input.currentData() or "")
        text = self.input.text().strip()
        if self.field.type is FieldType.DATE:
            date = read_date(text)
            return date.isoformat() if date else text
        return text

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
            shown = show_date(text) if self.field.type is FieldType.DATE else text
            self.input.setText(shown)
            self.input.setCursorPosition(0)  # a long value shows its start
            self.input.setToolTip(shown if len(shown) > 30 else self.input.toolTip())
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
        shown = [f for f in findings if f.severity in _FINDING_TONE]
        if shown:
            self.problem.setText("; ".join(f.message for f in shown))
            set_tone(self.problem, _FINDING_TONE[shown[0].severity])
        self.problem.setVisible(bool(shown))
        self._show_desa_name()
        return findings

    def _show_desa_name(self) -> None:
        if self.desa_name is None:
            return
        code = self.value()
        name = self._describe_desa(code) if (self._describe_desa and code) else ""
        self.desa_name.setText(name or ("desa tidak dikenal" if code else ""))
        set_tone(self.desa_name, "" if name else "warning")
        self.desa_name.setToolTip(name)

    def _findings(self) -> list[Finding]:
        value, kind = self.value(), self.field.type
        if not value:
            if self.field.required:
                missing = self.tr("wajib diisi")
                return [Finding("field_missing", Severity.ERROR, missing, self.field.name)]
            return []
        if kind is FieldType.NIK:
            return self._check_nik(value, self.field.name)
        if kind is FieldType.DATE and parse_date(value) is None:
            return [
                Finding(
                    "field_invalid_date",
                    Severity.ERROR,
                    self.tr("tanggal tidak sah (HH-BB-TTTT)"),
                    self.field.name,
                )
            ]
        if kind is FieldType.NO_KK and (not value.isdigit() or len(value) != 16):
            length = self.tr("No. KK harus 16 angka")
            return [Finding("kk_length", Severity.ERROR, length, self.field.name)]
        if kind is FieldType.TEXT and self._check_name is not None:
            return self._check_name(self.field.name, value)
        return []

    def _on_changed(self) -> None:
        self.validate()
        self.changed.emit()


# -- groups -----------------------------------------------------------------------------------


class FieldGroup(QWidget):
    """A titled group of fields the officer can fold away (its title then sums it up)."""

    toggled = Signal(str, bool)
    """(title, collapsed)."""

    def __init__(self, title: str, parent: QWidget) -> None:
        """An expanded group with a header button."""
        super().__init__(parent)
        self.title = title
        self.summary = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(2)
        self.header = QToolButton(self)
        self.header.setObjectName("groupHeader")
        self.header.setCheckable(True)
        self.header.setChecked(True)
        self.header.setAutoRaise(True)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.header.toggled.connect(self._on_toggled)
        layout.addWidget(self.header)
        self.body = QWidget(self)
        layout.addWidget(self.body)
        self._refresh_header()

    @property
    def collapsed(self) -> bool:
        """Whether the fields are folded away."""
        return not self.header.isChecked()

    def set_collapsed(self, collapsed: bool) -> None:
        """Fold or unfold the fields."""
        self.header.setChecked(not collapsed)

    def set_summary(self, text: str) -> None:
        """What the header says when the group is folded."""
        self.summary = text
        self._refresh_header()

    def _on_toggled(self, expanded: bool) -> None:
        self.body.setVisible(expanded)
        self._refresh_header()
        self.toggled.emit(self.title, not expanded)

    def _refresh_header(self) -> None:
        expanded = self.header.isChecked()
        self.header.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        extra = f" — {self.summary}" if (self.summary and not expanded) else ""
        self.header.setText(self.title + extra)


class FieldsForm(QWidget):
    """All fields of a request in collapsible two-column groups: the service's own data first
    (child, parents, death, move), then the applicant's.
    """

    changed = Signal()

    def __init__(
        self,
        service: Service,
        check_nik: NikCheck,
        parent: QWidget | None = None,
        *,
        describe_desa: DesaName | None = None,
        collapsed: set[str] | None = None,
        check_name: NameCheck | None = None,
    ) -> None:
        """Build the groups from the catalogue and the registry.

        ``collapsed`` holds the titles of the groups the officer folded; it is updated as they
        fold and unfold, so the next request opens the same way.
        """
        super().__init__(parent)
        self.editors: dict[str, FieldEditor] = {}
        self.groups: list[FieldGroup] = []
        self._check_nik = check_nik
        self._describe_desa = describe_desa
        self._check_name = check_name
        self._collapsed = collapsed if collapsed is not None else set()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(2)
        applicant, others, blocks = split_fields(service)
        subject_title = _subject_title(service)
        own: list[QWidget] = [self._block(section, fields) for section, fields in blocks]
        if others:
            event = self._group(_service_data_title(service), others)
            # The event (a death) comes before the people around it (the reporter).
            own.insert(0 if subject_title else len(own), event)
        person = self._group(subject_title or self.tr("Data pemohon"), applicant)
        # The person the document is about comes first when the service names them itself
        # (the deceased); a plain applicant comes after the service's own data.
        ordered = [person, *own] if subject_title else [*own, person]
        for widget in ordered:
            layout.addWidget(widget)
        layout.addStretch(1)
        self._applicant_group = person

    def _editor(self, form_field: FormField, parent: QWidget) -> FieldEditor:
        editor = FieldEditor(
            form_field, self._check_nik, parent, self._describe_desa, self._check_name
        )
        editor.changed.connect(self.changed)
        self.editors[form_field.name] = editor
        return editor

    def _new_group(self, title: str) -> FieldGroup:
        group = FieldGroup(title, self)
        group.set_collapsed(title in self._collapsed)
        group.toggled.connect(self._remember)
        self.groups.append(group)
        return group

    def _remember(self, title: str, collapsed: bool) -> None:
        if collapsed:
            self._collapsed.add(title)
        else:
            self._collapsed.discard(title)

    def _group(self, title: str, fields: list[FormField]) -> FieldGroup:
        group = self._new_group(title)
        grid = _grid(group.body)
        for index, form_field in enumerate(fields):
            row, column = divmod(index, 2)
            grid.addWidget(_label_widget(_label(form_field), group.body), row, column * 2)
            grid.addWidget(self._editor(form_field, group.body), row, column * 2 + 1)
        return group

    def _block(self, section: Section, fields: list[FormField]) -> FieldGroup:
        sides = [
            (title, [f for f in fields if Section("", title, prefixes).claims(f.name)])
            for title, prefixes in (
                (self.tr(section.left_title), section.left_prefixes),
                (self.tr(section.right_title), section.right_prefixes),
            )
        ]
        sides = [(title, side) for title, side in sides if side]
        if not section.paired or len(sides) < 2:
            return self._group(self.tr(section.title), fields)
        group = self._new_group(self.tr(section.title))
        grid = QGridLayout(group.body)
        grid.setContentsMargins(8, 0, 0, 0)
        for column, (title, side_fields) in enumerate(sides):
            grid.addWidget(
                QLabel(self.tr("<b>{title}</b>").format(title=title), group.body), 0, column
            )
            form = QFormLayout()
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
            for form_field in side_fields:
                form.addRow(
                    _label_widget(_short_label(form_field, title), group.body),
                    self._editor(form_field, group.body),
                )
            grid.addLayout(form, 1, column)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        return group

    def load(self, payload: dict[str, object]) -> None:
        """Show the request's payload (a folded group sums itself up in its title)."""
        for name, editor in self.editors.items():
            editor.blockSignals(True)
            editor.set_value(payload.get(name))
            editor.blockSignals(False)
        self._applicant_group.set_summary(
            " · ".join(
                str(payload.get(name) or "").strip()
                for name in ("nama", "nik")
                if str(payload.get(name) or "").strip()
            )
        )
        for group in self.groups:
            if any(not e.problem.isHidden() for e in group.body.findChildren(FieldEditor)):
                group.set_collapsed(False)  # a problem is never folded away

    def values(self) -> dict[str, object]:
        """Every field's current value."""
        return {name: editor.value() for name, editor in self.editors.items()}

    def set_read_only(self, read_only: bool) -> None:
        """Lock or unlock every input."""
        for editor in self.editors.values():
            editor.set_read_only(read_only)


def _grid(parent: QWidget) -> QGridLayout:
    grid = QGridLayout(parent)
    grid.setContentsMargins(8, 0, 0, 0)
    grid.setHorizontalSpacing(8)
    grid.setVerticalSpacing(4)
    grid.setColumnStretch(1, 1)
    grid.setColumnStretch(3, 1)
    return grid


def _label_widget(text: str, parent: QWidget) -> QLabel:
    """A label that keeps a short text on one line and wraps a long one."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    metrics = label.fontMetrics()
    width = metrics.averageCharWidth() * LABEL_WIDTH_CHARS
    label.setMaximumWidth(width)
    label.setMinimumWidth(min(width, metrics.horizontalAdvance(text) + 2))
    return label


def _service_data_title(service: Service) -> str:
    """Title the service's data: "Data Pencatatan Kelahiran", its name up to a "/" or "("."""
    name = re.split(r"[/(]", service.name, maxsplit=1)[0].strip()
    if not name:
        return QCoreApplication.translate("FieldsForm", "Data layanan")
    return QCoreApplication.translate("FieldsForm", "Data {name}").format(name=name)


def _subject_title(service: Service) -> str:
    """Title the subject's data: "Data yang meninggal dunia" when the service names the person
    it is about in its own fields (its ``nama`` field relabelled); "" for a plain applicant.
    """
    for form_field in service.fields:
        if form_field.name == "nama" and form_field.label.lower().startswith("nama "):
            return QCoreApplication.translate("FieldsForm", "Data {name}").format(
                name=form_field.label[5:]
            )
    return ""


def _label(form_field: FormField) -> str:
    return form_field.label + (" *" if form_field.required else "")


def _short_label(form_field: FormField, side: str) -> str:
    """Drop the side's name from a label ("NIK ayah" under "Ayah" reads "NIK")."""
    label = form_field.label
    for word in (side, side.lower()):
        label = label.replace(f" {word}", "").replace(f"{word} ", "")
    return (label or form_field.label) + (" *" if form_field.required else "")
