"""The database's CHECK constraints list exactly the domain's vocabularies."""

from __future__ import annotations

import enum
import re

import pytest
from sqlalchemy import CheckConstraint, Table

from disdukcapil_desk.db.models import IncomingRequest, RequirementCheck
from disdukcapil_desk.domain.vocabulary import Channel, CheckState


def check_values(table: Table, column: str) -> set[str]:
    """The quoted values of the CHECK named after ``column`` (ck_<table>_<column>)."""
    name = f"ck_{table.name}_{column}"
    (constraint,) = [
        c for c in table.constraints if isinstance(c, CheckConstraint) and c.name == name
    ]
    return set(re.findall(r"'([^']*)'", str(constraint.sqltext)))


@pytest.mark.parametrize(
    ("table", "column", "vocabulary"),
    [
        (IncomingRequest.__table__, "channel", Channel),
        (RequirementCheck.__table__, "state", CheckState),
    ],
)
def test_check_lists_exactly_the_enum(
    table: Table, column: str, vocabulary: type[enum.StrEnum]
) -> None:
    assert check_values(table, column) == {member.value for member in vocabulary}


def test_every_word_has_a_label() -> None:
    assert [c.label for c in Channel] == ["WhatsApp", "Web", "E-mail", "Impor", "Loket"]
    assert Channel.WEB.receipt_name == "Formulir web"
    assert all(state.label for state in CheckState)
    assert [s for s in CheckState if s.failed] == [
        CheckState.TIDAK_ADA,
        CheckState.TIDAK_TERBACA,
        CheckState.TIDAK_SESUAI,
    ]
