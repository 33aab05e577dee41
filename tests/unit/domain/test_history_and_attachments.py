"""A request's history as officers read it, and the finding for a required document not sent."""

from __future__ import annotations

import datetime as dt
import json

from disdukcapil_desk.domain.catalogue import Requirement
from disdukcapil_desk.domain.findings import ATTACHMENT_MISSING, Severity, missing_attachments
from disdukcapil_desk.domain.history import (
    MESSAGE_KEY,
    history_entry,
    mask_numbers_in,
    with_stored_message,
)

AT = dt.datetime(2026, 11, 2, 3, 0, tzinfo=dt.UTC)
REQUIREMENTS = (
    Requirement("f201", "Formulir F-2.01", True),
    Requirement("kk", "Fotokopi KK", True),
    Requirement("paspor", "Paspor", False, "Bagi WNA"),
)


def test_a_required_document_without_attachment_is_a_finding() -> None:
    (finding,) = missing_attachments(REQUIREMENTS, ["f201"])
    assert finding.code == ATTACHMENT_MISSING and finding.severity is Severity.WARNING
    assert finding.field == "kk" and "Fotokopi KK" in finding.message


def test_conditional_documents_and_sent_ones_are_not_findings() -> None:
    assert missing_attachments(REQUIREMENTS, ["kk", "f201", "f201"]) == []


def test_unmarked_attachments_are_pointed_at() -> None:
    findings = missing_attachments(REQUIREMENTS, [None, "f201", None])
    assert [f.field for f in findings] == ["kk"]
    assert "2 lampiran tanpa keterangan" in findings[0].message


def test_numbers_in_free_text_are_masked() -> None:
    text = "NIK 3604150311920014 tidak cocok dengan KK 3604151203180007; RT 001"
    assert mask_numbers_in(text) == (
        "NIK 3604********0014 tidak cocok dengan KK 3604********0007; RT 001"
    )
    assert mask_numbers_in("36041503119200149") == "36041503119200149", "17 digits: no NIK"


def test_an_entry_reads_its_message_and_labels_its_action() -> None:
    after = json.dumps({"status": "needs_revision", MESSAGE_KEY: "Kirim ulang KK 3604151203180007"})
    entry = history_entry(AT, "loket.dinas", "Siti", "request_revision", "", after)
    assert entry.label == "Dikembalikan untuk perbaikan" and entry.actor_name == "Siti"
    assert entry.message == "Kirim ulang KK 3604********0007"
    unknown = history_entry(AT, "system", "", "some_action", "x", None)
    assert unknown.label == "some action" and unknown.actor_name == "system"


def test_a_stored_message_no_entry_carries_is_added_once() -> None:
    entry = history_entry(AT, "a", "A", "reject", "", json.dumps({MESSAGE_KEY: "Ditolak."}))
    assert with_stored_message([entry], "Ditolak.", AT, "a") == [entry]
    added = with_stored_message([entry], "Mohon kirim KK.", AT, "b")
    assert len(added) == 2 and added[-1].message == "Mohon kirim KK."
    assert with_stored_message([], None, AT, "a") == []
