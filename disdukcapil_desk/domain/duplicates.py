"""Which open request a new one may duplicate (domain layer, pure).

Two requests of the same service are about the same person when they name the same subject's
NIK; when the new one names none (a newborn, a name on an old akta), when the same applicant
names the same subject (names compared without case). A new request is flagged with the
*oldest* such request that came before it and is still open: an officer merges or rejects
the later one, so nobody is issued the same document twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Parties:
    """What a request is judged by: its id (older requests have smaller ids), number,
    service and parties.
    """

    id: int
    number: str
    service_code: str
    nik: str
    subject_nik: str
    subject_name: str


_Key = tuple[str, ...]


def _subject_key(p: Parties) -> _Key | None:
    return ("subject", p.service_code, p.subject_nik) if p.subject_nik else None


def _applicant_key(p: Parties) -> _Key | None:
    if not (p.nik and p.subject_name):
        return None
    return ("applicant", p.service_code, p.nik, p.subject_name.lower())


def _wanted_key(p: Parties) -> _Key | None:
    """The key a new request looks for: its subject's NIK, else applicant and subject name."""
    return _subject_key(p) if p.subject_nik else _applicant_key(p)


def looked_up_niks(new: Iterable[Parties]) -> tuple[set[str], set[str]]:
    """The subjects' NIKs and the applicants' NIKs (of requests naming no subject NIK) whose
    open requests may be duplicated by ``new``: what to read from the database.
    """
    subjects, applicants = set(), set()
    for p in new:
        if p.subject_nik:
            subjects.add(p.subject_nik)
        elif _applicant_key(p) is not None:
            applicants.add(p.nik)
    return subjects, applicants


def find_duplicates(older: Iterable[Parties], new: Sequence[Parties]) -> dict[int, tuple[int, str]]:
    """For each of ``new`` (in id order, all newer than ``older``), the (id, number) of the
    oldest request before it, among the open requests ``older`` and the new ones before it,
    that it may duplicate; requests with none are left out.
    """
    oldest: dict[_Key, Parties] = {}

    def remember(p: Parties) -> None:
        for key in (_subject_key(p), _applicant_key(p)):
            if key is not None and (key not in oldest or p.id < oldest[key].id):
                oldest[key] = p

    for p in older:
        remember(p)
    found: dict[int, tuple[int, str]] = {}
    for p in new:
        key = _wanted_key(p)
        other = oldest.get(key) if key is not None else None
        if other is not None:
            found[p.id] = (other.id, other.number)
        remember(p)
    return found
