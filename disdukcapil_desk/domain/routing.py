"""Which office handles a request (domain layer)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from disdukcapil_desk.domain.catalogue import Service

DINAS_KIND = "dinas"
UPT_KIND = "upt"


@dataclass(frozen=True, slots=True)
class Office:
    """What routing needs to know about a location."""

    code: str
    kind: str
    active: bool = True


def handles(office: Office, service: Service) -> bool:
    """Whether ``office`` serves ``service``."""
    if not office.active:
        return False
    if office.kind == DINAS_KIND:
        return service.handled_by_dinas
    return service.handled_by_upt


def route(
    service: Service,
    wished_location: str | None,
    kecamatan_code: str | None,
    offices: Sequence[Office],
    coverage: Mapping[str, str],
) -> str:
    """Return the code of the office that will handle a request.

    The wished office if it serves the service; else the UPT covering the applicant's kecamatan
    if UPTs serve it; else the dinas (which also catches whatever no UPT can take).

    Args:
        service: the requested service.
        wished_location: the office the citizen asked for, if any.
        kecamatan_code: the applicant's kecamatan (6 digits), if known.
        offices: every location.
        coverage: kecamatan code → UPT code.
    """
    by_code = {office.code: office for office in offices}
    wished = by_code.get(wished_location or "")
    if wished is not None and handles(wished, service):
        return wished.code
    upt = by_code.get(coverage.get(kecamatan_code or "", ""))
    if upt is not None and handles(upt, service):
        return upt.code
    dinas = [o for o in offices if o.kind == DINAS_KIND and o.active]
    if not dinas:
        raise LookupError("no active dinas location is configured")
    return dinas[0].code
