"""Region codes: the kecamatan and desa of Kabupaten Serang, and Indonesia's province/regency codes.

Kemendagri codes are written dotted in the reference data (``36.04.05.2001``) and as plain digits
in NIKs and intake payloads (``3604052001``). Every lookup here accepts both; the value objects
carry plain digits.

Files (both in ``resources/wilayah/``):

- ``wilayah_3604.json``: ``{"kabupaten": {"kode", "nama"}, "kecamatan": [{"kode", "nama",
  "desa": [{"kode", "nama"}, ...]}, ...]}`` (extra keys such as ``source`` are ignored);
- ``regencies.json``: ``{"source", "provinces": {code: name}, "regencies": {code: name},
  "former_regencies": {code: name}}``. Former codes are those of regencies that moved to a new
  province (Papua 2022, Kalimantan Utara 2012); NIKs issued before keep them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from disdukcapil_desk.domain.catalogue import read_json_resource
from disdukcapil_desk.domain.errors import CatalogueError

_SEPARATORS = re.compile(r"[.\s]")
_WILAYAH = "Data wilayah"
_REGIONS = "Daftar kode wilayah"


def normalize_region_code(raw: str) -> str:
    """Return ``raw`` without dots and whitespace (``"36.04.05"`` → ``"360405"``).

    Nothing else is checked: the result may still be empty or contain other characters.
    """
    return _SEPARATORS.sub("", raw)


@dataclass(frozen=True, slots=True)
class Desa:
    """A desa (village) of the kabupaten.

    Attributes:
        code: 10 digits, e.g. ``3604052001``.
        name: e.g. ``Kramatwatu``.
        kecamatan_code: 6 digits, the first six of ``code``.
    """

    code: str
    name: str
    kecamatan_code: str


@dataclass(frozen=True, slots=True)
class Kecamatan:
    """A kecamatan (district) of the kabupaten with its desa, in file order.

    Attributes:
        code: 6 digits, e.g. ``360405``.
        name: e.g. ``Kramatwatu``.
        desa: its villages.
    """

    code: str
    name: str
    desa: tuple[Desa, ...]


class Wilayah:
    """The kecamatan and desa of one kabupaten (Kabupaten Serang, 3604)."""

    def __init__(
        self, kabupaten_code: str, kabupaten_name: str, kecamatan: tuple[Kecamatan, ...]
    ) -> None:
        """Build the lookup tables; ``load_wilayah`` checks the codes before calling this."""
        self.kabupaten_code = kabupaten_code
        self.kabupaten_name = kabupaten_name
        self._kecamatan = {k.code: k for k in kecamatan}
        self._desa = {d.code: d for k in kecamatan for d in k.desa}

    @property
    def kecamatan_list(self) -> tuple[Kecamatan, ...]:
        """All kecamatan in file order."""
        return tuple(self._kecamatan.values())

    @property
    def desa_list(self) -> tuple[Desa, ...]:
        """All desa, kecamatan by kecamatan."""
        return tuple(self._desa.values())

    def kecamatan(self, code: str) -> Kecamatan | None:
        """Return the kecamatan with ``code`` (``36.04.05`` or ``360405``), or None."""
        return self._kecamatan.get(normalize_region_code(code))

    def desa(self, code: str) -> Desa | None:
        """Return the desa with ``code`` (``36.04.05.2001`` or ``3604052001``), or None."""
        return self._desa.get(normalize_region_code(code))

    def kecamatan_of_desa(self, code: str) -> Kecamatan | None:
        """Return the kecamatan of the desa with ``code``, or None if the desa is unknown."""
        desa = self.desa(code)
        return None if desa is None else self._kecamatan[desa.kecamatan_code]


class RegionCodes:
    """Kemendagri province (2-digit) and kabupaten/kota (4-digit) codes of Indonesia."""

    def __init__(
        self,
        provinces: Mapping[str, str],
        regencies: Mapping[str, str],
        former_regencies: Mapping[str, str] | None = None,
    ) -> None:
        """Keep the code → name tables (plain-digit codes)."""
        self.provinces: dict[str, str] = dict(provinces)
        self.regencies: dict[str, str] = dict(regencies)
        self.former_regencies: dict[str, str] = dict(former_regencies or {})

    def province_name(self, code: str) -> str | None:
        """Return the name of the province with ``code`` (``"36"``), or None."""
        return self.provinces.get(normalize_region_code(code))

    def regency_name(self, code: str) -> str | None:
        """Return the name of the regency with ``code`` (``"3604"``/``"36.04"``), or None.

        Former codes (see ``is_former_regency``) are named too.
        """
        key = normalize_region_code(code)
        return self.regencies.get(key) or self.former_regencies.get(key)

    def is_known_province(self, code: str) -> bool:
        """Return whether ``code`` is a province code."""
        return normalize_region_code(code) in self.provinces

    def is_known_regency(self, code: str) -> bool:
        """Return whether ``code`` is a current or former kabupaten/kota code."""
        key = normalize_region_code(code)
        return key in self.regencies or key in self.former_regencies

    def is_former_regency(self, code: str) -> bool:
        """Return whether ``code`` is only a former code (still found in older NIKs)."""
        key = normalize_region_code(code)
        return key in self.former_regencies and key not in self.regencies


def load_wilayah(path: Path) -> Wilayah:
    """Read ``wilayah_3604.json``.

    Raises:
        CatalogueError: unreadable file or a malformed entry (the message names it).
    """
    return parse_wilayah(read_json_resource(path, _WILAYAH))


def parse_wilayah(data: object) -> Wilayah:
    """Build a ``Wilayah`` from decoded JSON, checking codes, nesting and duplicates.

    Raises:
        CatalogueError: the message names the bad entry.
    """
    top = _mapping(data, _WILAYAH)
    kabupaten = _mapping(top.get("kabupaten"), f"{_WILAYAH}: kabupaten")
    kab_code = _code(kabupaten, f"{_WILAYAH}: kabupaten", 4, "")
    kab_name = _name(kabupaten, f"{_WILAYAH}: kabupaten ({kab_code})")
    raw_list = top.get("kecamatan")
    if not isinstance(raw_list, list) or not raw_list:
        raise CatalogueError(f"{_WILAYAH}: 'kecamatan' harus berupa daftar yang tidak kosong")
    kecamatan = tuple(_parse_kecamatan(raw, i, kab_code) for i, raw in enumerate(raw_list))
    _check_unique([k.code for k in kecamatan], "kode kecamatan")
    _check_unique([d.code for k in kecamatan for d in k.desa], "kode desa")
    return Wilayah(kab_code, kab_name, kecamatan)


def _parse_kecamatan(raw: object, index: int, kab_code: str) -> Kecamatan:
    where = f"{_WILAYAH}: kecamatan #{index}"
    entry = _mapping(raw, where)
    code = _code(entry, where, 6, kab_code)
    where = f"{where} ({code})"
    name = _name(entry, where)
    raw_desa = entry.get("desa")
    if not isinstance(raw_desa, list) or not raw_desa:
        raise CatalogueError(f"{where}: 'desa' harus berupa daftar yang tidak kosong")
    desa = tuple(_parse_desa(d, f"{where}: desa #{i}", code) for i, d in enumerate(raw_desa))
    return Kecamatan(code, name, desa)


def _parse_desa(raw: object, where: str, kecamatan_code: str) -> Desa:
    entry = _mapping(raw, where)
    code = _code(entry, where, 10, kecamatan_code)
    return Desa(code, _name(entry, f"{where} ({code})"), kecamatan_code)


def _mapping(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise CatalogueError(f"{where}: harus berupa objek JSON")
    return value


def _code(entry: Mapping[str, object], where: str, digits: int, parent: str) -> str:
    raw = entry.get("kode")
    if not isinstance(raw, str):
        raise CatalogueError(f"{where}: 'kode' harus berupa teks")
    code = normalize_region_code(raw)
    if len(code) != digits or not code.isdigit():
        raise CatalogueError(f"{where}: kode {raw!r} harus {digits} digit")
    if not code.startswith(parent):
        raise CatalogueError(f"{where}: kode {raw!r} tidak berada di bawah {parent}")
    return code


def _name(entry: Mapping[str, object], where: str) -> str:
    name = entry.get("nama")
    if not isinstance(name, str) or not name.strip():
        raise CatalogueError(f"{where}: 'nama' harus berupa teks yang tidak kosong")
    return name.strip()


def _check_unique(codes: list[str], what: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise CatalogueError(f"{_WILAYAH}: {what} ganda: {code}")
        seen.add(code)


def load_region_codes(path: Path) -> RegionCodes:
    """Read ``regencies.json``.

    Raises:
        CatalogueError: unreadable file or a malformed entry (the message names it).
    """
    return parse_region_codes(read_json_resource(path, _REGIONS))


def parse_region_codes(data: object) -> RegionCodes:
    """Build ``RegionCodes`` from decoded JSON.

    Raises:
        CatalogueError: a bad code or name, or a regency whose province is unknown.
    """
    top = _mapping(data, _REGIONS)
    provinces = _code_table(top, "provinces", 2, required=True)
    regencies = _code_table(top, "regencies", 4, required=True)
    former = _code_table(top, "former_regencies", 4, required=False)
    for key, table in (("regencies", regencies), ("former_regencies", former)):
        for code in table:
            if code[:2] not in provinces:
                raise CatalogueError(f"{_REGIONS}: {key} {code}: provinsi {code[:2]} tidak ada")
    return RegionCodes(provinces, regencies, former)


def _code_table(
    top: Mapping[str, object], key: str, digits: int, *, required: bool
) -> dict[str, str]:
    raw = top.get(key)
    if raw is None and not required:
        return {}
    if not isinstance(raw, dict) or (required and not raw):
        raise CatalogueError(f"{_REGIONS}: '{key}' harus berupa objek kode → nama")
    table: dict[str, str] = {}
    for raw_code, name in raw.items():
        code = normalize_region_code(raw_code)
        where = f"{_REGIONS}: {key} {raw_code!r}"
        if len(code) != digits or not code.isdigit():
            raise CatalogueError(f"{where}: kode harus {digits} digit")
        if not isinstance(name, str) or not name.strip():
            raise CatalogueError(f"{where}: nama harus berupa teks yang tidak kosong")
        if code in table:
            raise CatalogueError(f"{where}: kode ganda")
        table[code] = name.strip()
    return table
