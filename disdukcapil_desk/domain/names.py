"""Names as Permendagri 73/2022 writes them (domain layer, pure Python).

The rules are data (``resources/names/rules.json``): at most ``max_letters`` letters including
spaces, at least ``min_words`` words, no digits, no punctuation beyond what a name may hold
(apostrophe, hyphen, the period of an abbreviation), and no educational or religious title on
an akta (titles may appear, abbreviated, on KK and KTP-el). Letters must be Latin, diacritics
included (é, ñ, ü, â): the desk prints names in Latin letters only.

Which fields hold a person's name is data too. A *new* name (a newborn's on the akta
kelahiran, the new name of a name change) that breaks a rule is an error; the name of a person
already registered (a parent, the applicant, the deceased) only a warning, because names
recorded before the regulation stay valid. A non-Latin name is always an error.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from disdukcapil_desk.domain.catalogue import Catalogue, Service, read_json_resource
from disdukcapil_desk.domain.errors import CatalogueError
from disdukcapil_desk.domain.findings import Finding, Severity

NAME_RULES_VERSION = 1
_COMBINING_DIACRITICS = range(0x0300, 0x0370)
"""Combining accents a decomposed Latin letter may carry (e + U+0301 = é)."""
_KEYS = frozenset(
    {
        "about",
        "version",
        "max_letters",
        "min_words",
        "allowed_punctuation",
        "prefix_titles",
        "suffix_titles",
        "unabbreviated_titles",
        "titles_forbidden_in_groups",
        "severity",
        "new_name_fields",
        "existing_name_fields",
    }
)
NON_LATIN = "name_non_latin"
"""The code of the finding for a name written in another script (always an error)."""


class NameKind(enum.StrEnum):
    """Whose name a field holds, for how strictly the rules apply."""

    NEW = "new"
    """A name given now (a newborn, a name change): the rules bind."""
    EXISTING = "existing"
    """A person already registered: a name recorded before the rule stays valid."""


def _fold(token: str) -> str:
    """A title as compared: no periods, no trailing comma, case folded (``S.H.,`` → ``sh``)."""
    return token.rstrip(",").replace(".", "").casefold()


def is_latin(char: str) -> bool:
    """Whether ``char`` is a Latin letter (with or without diacritics) or a combining accent."""
    if ord(char) in _COMBINING_DIACRITICS:
        return True
    return unicodedata.category(char).startswith("L") and unicodedata.name(char, "").startswith(
        "LATIN"
    )


def non_latin_letters(text: str) -> str:
    """The letters of ``text`` that are not Latin, in order, each once (``""`` when none)."""
    if text.isascii():
        return ""  # the only ASCII letters are A-Z and a-z
    found: dict[str, None] = {}
    for char in text:
        category = unicodedata.category(char)
        if (category.startswith("L") or category.startswith("M")) and not is_latin(char):
            found[char] = None
    return "".join(found)


@dataclass(frozen=True, slots=True)
class _Split:
    """A name cut into its titles and the name itself."""

    prefix: tuple[str, ...]
    core: str
    suffix: tuple[str, ...]

    @property
    def titles(self) -> tuple[str, ...]:
        return (*self.prefix, *self.suffix)


@dataclass(frozen=True)
class NameRules:
    """The name rules of ``rules.json`` and which catalogue fields they apply to."""

    max_letters: int = 60
    min_words: int = 2
    allowed_punctuation: frozenset[str] = frozenset("'\u2019-.")
    prefix_titles: frozenset[str] = frozenset()
    """Titles before the name, folded (``dr``, ``hj``)."""
    suffix_titles: frozenset[str] = frozenset()
    """Titles after the name, folded (``sh``, ``mpd``)."""
    unabbreviated_titles: Mapping[str, str] = field(default_factory=dict)
    """A title written out (folded) → its abbreviation (``haji`` → ``H.``)."""
    titles_forbidden_in_groups: frozenset[str] = frozenset({"pencatatan_sipil"})
    severity: Mapping[NameKind, Severity] = field(
        default_factory=lambda: {NameKind.NEW: Severity.ERROR, NameKind.EXISTING: Severity.WARNING}
    )
    new_name_fields: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Service code → the fields holding a new name."""
    existing_name_fields: frozenset[str] = frozenset()
    """Fields holding a registered person's name, in every service that has them."""

    def kind_of(self, service: Service, field_name: str) -> NameKind | None:
        """Whose name ``field_name`` holds in ``service``; None when it holds no person's name."""
        if field_name in self.new_name_fields.get(service.code, frozenset()):
            return NameKind.NEW
        return NameKind.EXISTING if field_name in self.existing_name_fields else None

    def titles_allowed(self, service: Service) -> bool:
        """Whether titles may appear (abbreviated) on what ``service`` issues: not on an akta."""
        return service.group.value not in self.titles_forbidden_in_groups

    def check_field(
        self, service: Service, field_name: str, text: str, *, label: str = ""
    ) -> list[Finding]:
        """The findings on ``text`` typed into ``field_name`` of ``service``.

        Nothing for a field that holds no person's name. ``label`` (the field's label) starts
        each message when given, as intake writes its findings.
        """
        kind = self.kind_of(service, field_name)
        if kind is None or not text.strip():
            return []
        found = self.check_name(text, kind=kind, titles_allowed=self.titles_allowed(service))
        prefix = f"{label}: " if label else ""
        return [
            Finding(code, severity, prefix + message, field_name)
            for code, severity, message in found
        ]

    def check_name(
        self, text: str, *, kind: NameKind, titles_allowed: bool
    ) -> list[tuple[str, Severity, str]]:
        """``(code, severity, message)`` for every rule ``text`` breaks."""
        name = " ".join(unicodedata.normalize("NFC", text).split())
        foreign = non_latin_letters(name)
        if foreign:
            return [
                (
                    NON_LATIN,
                    Severity.ERROR,
                    f"ditulis dengan huruf selain huruf Latin ({foreign[:10]}); mohon kirim "
                    "ejaan nama dengan huruf Latin, seperti pada KK atau akta",
                )
            ]
        severity = self.severity[kind]
        suffix = (
            " (Permendagri 73/2022)"
            if kind is NameKind.NEW
            else " (nama yang sudah tercatat tetap berlaku; periksa dengan dokumennya)"
        )
        split = self._split(name)
        broken = [*self._title_problems(split, titles_allowed), *self._core_problems(split.core)]
        return [(code, severity, message + suffix) for code, message in broken]

    def _split(self, name: str) -> _Split:
        head, comma, tail = name.partition(",")
        words = head.split()
        prefix: list[str] = []
        while len(words) > 1 and (
            _fold(words[0]) in self.prefix_titles or _fold(words[0]) in self.unabbreviated_titles
        ):
            prefix.append(words.pop(0))
        suffix: list[str] = []
        while len(words) > 1 and _fold(words[-1]) in self.suffix_titles:
            suffix.insert(0, words.pop())
        if comma:  # "BUDI SANTOSO, S.H., M.M.": everything after the comma is titles or not
            after = tail.replace(",", " ").split()
            if after and all(_fold(t) in self.suffix_titles for t in after):
                suffix.extend(after)
            else:
                words.extend([",", *after])
        return _Split(tuple(prefix), " ".join(words).replace(" ,", ","), tuple(suffix))

    def _title_problems(self, split: _Split, titles_allowed: bool) -> list[tuple[str, str]]:
        if not split.titles:
            return []
        if not titles_allowed:
            return [
                (
                    "name_title",
                    f"memuat gelar ({' '.join(split.titles)}); gelar pendidikan atau keagamaan "
                    "tidak dicantumkan pada akta",
                )
            ]
        written_out = [t for t in split.prefix if _fold(t) in self.unabbreviated_titles]
        return [
            (
                "name_title_unabbreviated",
                f"gelar {title} ditulis singkat pada KK dan KTP-el "
                f"({self.unabbreviated_titles[_fold(title)]})",
            )
            for title in written_out
        ]

    def _core_problems(self, core: str) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if len(core) > self.max_letters:
            problems.append(
                (
                    "name_too_long",
                    f"lebih dari {self.max_letters} huruf termasuk spasi ({len(core)})",
                )
            )
        if len(core.split()) < self.min_words:
            problems.append(("name_too_few_words", f"kurang dari {self.min_words} kata"))
        if _has_digit(core):
            problems.append(("name_digits", "memuat angka"))
        marks = _punctuation(core, self.allowed_punctuation)
        if marks:
            problems.append(("name_punctuation", f"memuat tanda baca yang tidak boleh ({marks})"))
        return problems


def _has_digit(core: str) -> bool:
    """Whether ``core`` holds a decimal digit of any script (``0``-``9``, ``٣``…)."""
    if core.isascii():
        return any(char in _ASCII_DIGITS for char in core)
    return any(unicodedata.category(c) == "Nd" for c in core)


_ASCII_DIGITS = frozenset("0123456789")


def _punctuation(core: str, allowed: frozenset[str]) -> str:
    """The characters of ``core`` that are neither letters, digits, spaces nor allowed marks."""
    found: dict[str, None] = {}
    if core.isascii():  # an ASCII letter or digit is exactly an alphanumeric character
        for char in core:
            if not (char.isalnum() or char == " " or char in allowed):
                found[char] = None
        return " ".join(found)
    for char in core:
        category = unicodedata.category(char)
        if char in allowed or char == " " or category[0] in "LMN":
            continue
        found[char] = None
    return " ".join(found)


def parse_name_rules(data: object) -> NameRules:
    """Build the rules from decoded ``rules.json``.

    Raises:
        CatalogueError: a missing, unknown or malformed key, named in the message.
    """
    where = "Aturan nama (names/rules.json)"
    if not isinstance(data, dict):
        raise CatalogueError(f"{where}: harus berupa objek JSON")
    unknown = set(data) - _KEYS
    if unknown:
        raise CatalogueError(f"{where}: kunci tidak dikenal: {', '.join(sorted(unknown))}")
    try:
        if data["version"] != NAME_RULES_VERSION:
            raise CatalogueError(f"{where}: versi {data['version']!r} tidak didukung")
        return NameRules(
            max_letters=_positive(data["max_letters"]),
            min_words=_positive(data["min_words"]),
            allowed_punctuation=frozenset(_strings(data["allowed_punctuation"])),
            prefix_titles=frozenset(_fold(t) for t in _strings(data["prefix_titles"])),
            suffix_titles=frozenset(_fold(t) for t in _strings(data["suffix_titles"])),
            unabbreviated_titles={
                _fold(k): str(v) for k, v in dict(data["unabbreviated_titles"]).items()
            },
            titles_forbidden_in_groups=frozenset(_strings(data["titles_forbidden_in_groups"])),
            severity=_severities(data["severity"]),
            new_name_fields={
                str(code): frozenset(_strings(fields))
                for code, fields in dict(data["new_name_fields"]).items()
            },
            existing_name_fields=frozenset(_strings(data["existing_name_fields"])),
        )
    except CatalogueError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogueError(f"{where}: {exc!r}") from None


def _severities(data: object) -> dict[NameKind, Severity]:
    severity = {NameKind(k): Severity(v) for k, v in dict(data).items()}  # type: ignore[call-overload]
    if set(severity) != set(NameKind):
        raise ValueError(f"severity harus untuk {', '.join(NameKind)}")
    return severity


def _positive(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"harus bilangan bulat positif, bukan {value!r}")
    return value


def _strings(values: object) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise TypeError(f"harus daftar teks, bukan {values!r}")
    return list(values)


def load_name_rules(path: Path) -> NameRules:
    """Read ``rules.json``.

    Raises:
        CatalogueError: unreadable file, invalid JSON or a malformed key.
    """
    return parse_name_rules(read_json_resource(path, "Aturan nama"))


def check_name_fields(rules: NameRules, catalogue: Catalogue) -> None:
    """Refuse rules that name a service or a field the catalogue does not have.

    Raises:
        CatalogueError: naming the first unknown service or field.
    """
    fields = {f.name for service in catalogue for f in service.all_fields}
    _known(rules.existing_name_fields, fields, "field")
    for code, names in rules.new_name_fields.items():
        if code not in catalogue:
            raise CatalogueError(f"Aturan nama: layanan tidak dikenal: {code!r}")
        _known(names, {f.name for f in catalogue.get(code).all_fields}, f"field layanan {code}")


def _known(names: Iterable[str], known: set[str], what: str) -> None:
    unknown = sorted(set(names) - known)
    if unknown:
        raise CatalogueError(f"Aturan nama: {what} tidak dikenal: {', '.join(unknown)}")
