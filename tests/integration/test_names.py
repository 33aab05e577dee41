"""Names at intake and on paper: a non-Latin name is a finding the citizen is asked to fix, and
the desk refuses to print it rather than leave a blank line or boxes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from disdukcapil_desk.db.models import DocumentFile
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.findings import Severity
from disdukcapil_desk.domain.names import NON_LATIN
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.verification import VerificationOps
from disdukcapil_desk.reports.glyphs import UnprintableText
from tests.integration.test_documents import approved, configure, pdf_text, submit

ARABIC = "فاطمة الزهراء"
BIRTH = {
    "anak_nama": ARABIC,
    "anak_jenis_kelamin": "P",
    "anak_tanggal_lahir": "2026-10-20",
    "anak_tempat_lahir": "Serang",
    "anak_ke": "2",
    "ayah_nama": "Budi",
    "ibu_nama": "Dewi Lestari",
}


def test_intake_finds_the_non_latin_name_and_the_message_asks_for_the_latin_spelling(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    received = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
    submit(ctx, "n-1", "akta_kelahiran", received, **BIRTH)
    IntakeOps(ctx).ingest()
    officer = users["loket.dinas"]
    lease = QueueOps(ctx).claim_next(officer, "DINAS")
    assert lease is not None
    detail = QueueOps(ctx).detail(officer, lease.request_id)
    found = {(f.code, f.field): f for f in detail.findings}
    assert str(found[NON_LATIN, "anak_nama"].severity) == Severity.ERROR
    assert str(found["name_too_few_words", "ayah_nama"].severity) == Severity.WARNING
    verification = VerificationOps(ctx)
    text = verification.revision_message(detail)
    assert "Nama anak: ditulis dengan huruf selain huruf Latin" in text
    assert "ejaan nama dengan huruf Latin" in text
    assert "Nama ayah" not in text, "a registered person's name is only a warning"

    version = verification.save_draft(
        officer, lease.request_id, lease.version, {"anak_nama": "Fatimah Az-Zahra"}, {}
    )
    fixed = QueueOps(ctx).detail(officer, lease.request_id)
    assert fixed.row.version == version
    assert NON_LATIN not in {f.code for f in fixed.findings if not f.resolved}


def test_a_name_the_fonts_cannot_draw_is_refused_before_any_pdf(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    operator = users["operator.dinas"]
    configure(ctx, users["admin"])
    [request_id] = approved(ctx, 1, service="akta_kelahiran", **BIRTH)
    ops = DocumentOps(ctx)
    issued = ops.issue(operator, request_id)
    with ctx.sessions() as session:
        files_before = session.scalar(select(func.count()).select_from(DocumentFile))
    with pytest.raises(UnprintableText, match="U\\+0641 ARABIC LETTER FEH") as refused:
        ops.render_certificate(operator, issued.certificate_number)
    assert "huruf Latin" in str(refused.value)
    assert refused.value.field == "telah lahir", "the line of the kutipan is named"
    number = QueueOps(ctx).detail(operator, request_id).row.number
    with pytest.raises(UnprintableText, match="«Atas Nama»"):
        ops.render_receipt(operator, number)
    with ctx.sessions() as session:
        files_after = session.scalar(select(func.count()).select_from(DocumentFile))
    assert files_after == files_before, "no PDF is stored for a refused document"


def test_a_latin_name_with_diacritics_prints(ctx: DeskContext, users: dict[str, Actor]) -> None:
    operator = users["operator.dinas"]
    configure(ctx, users["admin"])
    names = {"anak_nama": "Zoë Ñañez Gonçalves", "ayah_nama": "José Müller", "ibu_nama": "Âmina"}
    [request_id] = approved(ctx, 1, service="akta_kelahiran", **{**BIRTH, **names})
    ops = DocumentOps(ctx)
    issued = ops.issue(operator, request_id)
    certificate = pdf_text(ops.render_certificate(operator, issued.certificate_number))
    for name in names.values():
        assert name.upper() in certificate, name
    number = QueueOps(ctx).detail(operator, request_id).row.number
    receipt = pdf_text(ops.render_receipt(operator, number))
    assert "Zoë Ñañez Gonçalves" in receipt
