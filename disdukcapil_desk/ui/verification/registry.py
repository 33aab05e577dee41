"""How each service's fields are grouped on its verification screen (ui layer).

One page is built from the catalogue for every service. Fields are grouped by name; a few
services get a two-column block where officers compare pairs (father | mother, husband | wife,
origin | destination). Registered explicitly here, so a frozen build needs no hidden imports.
"""

from __future__ import annotations

from dataclasses import dataclass

from disdukcapil_desk.domain.catalogue import FormField, Service
from disdukcapil_desk.ui.i18n import QT_TRANSLATE_NOOP


@dataclass(frozen=True, slots=True)
class Section:
    """A titled group of fields; with ``right`` it is laid out as two columns."""

    title: str
    left_title: str
    left_prefixes: tuple[str, ...]
    right_title: str = ""
    right_prefixes: tuple[str, ...] = ()

    @property
    def paired(self) -> bool:
        """Whether this is a two-column block."""
        return bool(self.right_prefixes)

    def claims(self, name: str) -> bool:
        """Whether a field belongs to this section."""
        return _matches(name, self.left_prefixes + self.right_prefixes)


# Titles are marked for translation in the context of the form that shows them.
PARENTS = Section(
    QT_TRANSLATE_NOOP("FieldsForm", "Data orang tua"),
    QT_TRANSLATE_NOOP("FieldsForm", "Ayah"),
    ("ayah_",),
    QT_TRANSLATE_NOOP("FieldsForm", "Ibu"),
    ("ibu_",),
)
ADOPTIVE_PARENTS = Section(
    QT_TRANSLATE_NOOP("FieldsForm", "Data orang tua angkat"),
    QT_TRANSLATE_NOOP("FieldsForm", "Ayah angkat"),
    ("ayah_angkat_",),
    QT_TRANSLATE_NOOP("FieldsForm", "Ibu angkat"),
    ("ibu_angkat_",),
)
COUPLE = Section(
    QT_TRANSLATE_NOOP("FieldsForm", "Data pasangan"),
    QT_TRANSLATE_NOOP("FieldsForm", "Suami"),
    ("suami_",),
    QT_TRANSLATE_NOOP("FieldsForm", "Istri"),
    ("istri_",),
)
MOVE = Section(
    QT_TRANSLATE_NOOP("FieldsForm", "Data kepindahan"),
    QT_TRANSLATE_NOOP("FieldsForm", "Asal"),
    ("*_asal",),
    QT_TRANSLATE_NOOP("FieldsForm", "Tujuan"),
    ("*_tujuan",),
)
CHILD = Section(
    QT_TRANSLATE_NOOP("FieldsForm", "Data anak"),
    QT_TRANSLATE_NOOP("FieldsForm", "Anak"),
    ("anak_",),
)
REPORTER = Section(
    QT_TRANSLATE_NOOP("FieldsForm", "Pelapor"),
    QT_TRANSLATE_NOOP("FieldsForm", "Pelapor"),
    ("pelapor_",),
)

SECTIONS: dict[str, tuple[Section, ...]] = {
    "akta_kelahiran": (CHILD, PARENTS),
    "akta_pengakuan_anak": (CHILD, PARENTS),
    "akta_pengesahan_anak": (CHILD, PARENTS),
    "sk_lahir_mati": (PARENTS,),
    "pencatatan_pengangkatan_anak": (CHILD, ADOPTIVE_PARENTS),
    "akta_kematian": (REPORTER,),
    "akta_perkawinan": (COUPLE,),
    "akta_perceraian": (COUPLE,),
    "pembatalan_perkawinan": (COUPLE,),
    "pembatalan_perceraian": (COUPLE,),
    "pindah_keluar_skpwni": (MOVE,),
    "pindah_datang_antar_kabkota": (MOVE,),
    "pindah_datang_antar_provinsi": (MOVE,),
    "pindah_dalam_kabupaten": (MOVE,),
    "pindah_luar_negeri": (MOVE,),
}


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    for pattern in patterns:
        if pattern.startswith("*"):
            if name.endswith(pattern[1:]):
                return True
        elif name.startswith(pattern):
            return True
    return False


def sections_for(service: Service) -> tuple[Section, ...]:
    """The special blocks of a service (empty for most)."""
    return SECTIONS.get(service.code, ())


def split_fields(
    service: Service,
) -> tuple[list[FormField], list[FormField], list[tuple[Section, list[FormField]]]]:
    """Return (applicant fields, other service fields, fields of each special block)."""
    common = {f.name for f in service.common_fields}
    blocks: list[tuple[Section, list[FormField]]] = [(s, []) for s in sections_for(service)]
    applicant: list[FormField] = []
    others: list[FormField] = []
    for form_field in service.all_fields:
        block = next((b for b in blocks if b[0].claims(form_field.name)), None)
        if block is not None and form_field.name not in common:
            block[1].append(form_field)
        elif form_field.name in common:
            applicant.append(form_field)
        else:
            others.append(form_field)
    return applicant, others, [(section, fields) for section, fields in blocks if fields]
