"""Findings: structured results of automatic checks (domain layer, pure Python)."""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from disdukcapil_desk.domain.catalogue import Requirement


class Severity(enum.StrEnum):
    """How serious a finding is for the officer."""

    ERROR = "error"
    """The data is wrong and must be corrected or asked again from the citizen."""
    WARNING = "warning"
    """Worth a look; may be legitimate (e.g. a NIK that does not match a corrected birth date)."""
    INFO = "info"
    """Context for the officer (e.g. a NIK registered outside Kabupaten Serang)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem or remark found in a request's data.

    Attributes:
        code: stable machine code, e.g. ``nik_length`` or ``late_registration``.
        severity: error, warning or info.
        message: Indonesian text for the officer.
        field: the payload field it concerns (``nik``, ``ayah_nik``…), or ``""``.
    """

    code: str
    severity: Severity
    message: str
    field: str = ""

    @property
    def is_error(self) -> bool:
        """Whether the finding blocks an automatic pass."""
        return self.severity is Severity.ERROR


def has_errors(findings: list[Finding] | tuple[Finding, ...]) -> bool:
    """Return whether any finding is an error."""
    return any(f.is_error for f in findings)


ATTACHMENT_MISSING = "attachment_missing"
"""The code of the finding for a required document the citizen did not attach."""


def missing_attachments(
    requirements: Iterable[Requirement], attached: Collection[str | None]
) -> list[Finding]:
    """One finding per always-required document no attachment is marked for.

    ``attached`` holds the requirement code of every attachment (None: the channel did not
    say which document it is; then the officer is told to look at those too).
    """
    codes = {code for code in attached if code}
    unmarked = sum(1 for code in attached if not code)
    hint = f" (ada {unmarked} lampiran tanpa keterangan; periksa)" if unmarked else ""
    return [
        Finding(
            ATTACHMENT_MISSING,
            Severity.WARNING,
            f"Lampiran wajib tidak dikirim: {requirement.label}{hint}",
            requirement.code,
        )
        for requirement in requirements
        if requirement.required and requirement.code not in codes
    ]
