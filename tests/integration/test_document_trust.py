"""Offline verification trusts only the office: altered-and-resigned files, a signature cut off,
drafts said plainly, several published keys, the key id in the QR and the seal.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from disdukcapil_desk.domain.documents import public_key_pem, signing_key
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps, verify_offline
from disdukcapil_desk.reports.signing import load_identity, sign_pdf
from tests.integration.test_document_signing import (
    PASSPHRASE,
    issued_certificate,
    make_pkcs12,
)
from tests.integration.test_documents import approved, configure


@pytest.fixture(scope="module")
def office_certificate() -> tuple[bytes, bytes]:
    return make_pkcs12()


@pytest.fixture
def signing_office(
    ctx: DeskContext, users: dict[str, Actor], office_certificate: tuple[bytes, bytes]
) -> DocumentOps:
    ops = DocumentOps(ctx)
    ops.configure_signing(users["admin"], office_certificate[0], PASSPHRASE)
    configure(ctx, users["admin"])  # a signed certificate names its signer
    return ops


def sealed_part(pdf: bytes) -> bytes:
    """The file as the desk sealed it, before the signature's incremental update."""
    return pdf[: pdf.index(b"%%EOF") + len(b"%%EOF\n")]


def overlay_update(pdf: bytes, text: str) -> bytes:
    """An incremental update (pyHanko's writer) that paints over the first page: a white box
    and another name, as a forger changing the mother's name would.
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    font = writer.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Font"),
                generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
            }
        )
    )
    resources = generic.DictionaryObject(page["/Resources"])
    try:  # pyHanko's get() would not resolve an indirect /Font
        fonts = generic.DictionaryObject(resources["/Font"])
    except KeyError:
        fonts = generic.DictionaryObject()
    fonts[generic.NameObject("/FPalsu")] = font
    resources[generic.NameObject("/Font")] = fonts
    page[generic.NameObject("/Resources")] = resources
    drawing = f"q 1 1 1 rg 150 420 300 40 re f Q BT /FPalsu 12 Tf 160 435 Td ({text}) Tj ET"
    stream = writer.add_object(generic.StreamObject(stream_data=drawing.encode()))
    contents = page["/Contents"]
    kids = (
        list(contents) if isinstance(contents, generic.ArrayObject) else [page.raw_get("/Contents")]
    )
    page[generic.NameObject("/Contents")] = generic.ArrayObject([*kids, stream])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def info_update(pdf: bytes, donor: bytes) -> bytes:
    """An incremental update (pyHanko's writer) that swaps in another file's document-info
    dictionary: the other certificate's verification blocks.
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader

    donor_info = PdfFileReader(io.BytesIO(donor), strict=False).trailer["/Info"]
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    info_ref = writer.trailer.raw_get("/Info")
    info = info_ref.get_object()
    for key in ("/DDKDesk", "/Keywords"):
        if key in donor_info:
            info[generic.NameObject(key)] = generic.TextStringObject(str(donor_info[key]))
    writer.mark_update(info_ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def resign(pdf: bytes, common_name: str = "Siapa Saja") -> bytes:
    """Sign (pyHanko, a new field) with a self-signed certificate anyone can make."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    impostor = load_identity(make_pkcs12(common_name)[0], PASSPHRASE)
    meta = signers.PdfSignatureMetadata(
        field_name="Palsu", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    return bytes(signers.sign_pdf(writer, meta, signer=impostor.signer).getvalue())


def two_certificates(ctx: DeskContext, users: dict[str, Actor]) -> tuple[bytes, bytes]:
    operator = users["operator.dinas"]
    ops = DocumentOps(ctx)
    pdfs = []
    for request_id in approved(ctx, 2):
        number = ops.issue(operator, request_id).certificate_number
        assert number is not None
        pdfs.append(ops.render_certificate(operator, number))
    return pdfs[0], pdfs[1]


def test_an_altered_certificate_resigned_by_anyone_is_not_valid_offline(
    ctx: DeskContext, users: dict[str, Actor], signing_office: DocumentOps
) -> None:
    _, pdf = issued_certificate(ctx, users)
    public = signing_office.public_key()
    assert verify_offline(pdf, public).ok
    for forged in (
        resign(overlay_update(sealed_part(pdf), "SITI PALSU")),
        resign(overlay_update(pdf, "SITI PALSU")),
    ):
        report = verify_offline(forged, public)
        assert not report.ok, report.messages()
        assert "HASIL: TIDAK SAH" in report.messages()


def test_another_certificates_metadata_swapped_in_and_resigned_is_not_valid(
    ctx: DeskContext, users: dict[str, Actor], signing_office: DocumentOps
) -> None:
    pdf, other = two_certificates(ctx, users)
    public = signing_office.public_key()
    forged = resign(info_update(sealed_part(pdf), other))
    report = verify_offline(forged, public)
    assert not report.ok and "HASIL: TIDAK SAH" in report.messages()
    assert not signing_office.verify_pdf(forged).ok


def test_a_signed_certificate_with_its_signature_cut_off_is_not_valid(
    ctx: DeskContext, users: dict[str, Actor], signing_office: DocumentOps
) -> None:
    _, pdf = issued_certificate(ctx, users)
    public = signing_office.public_key()
    cut = sealed_part(pdf)
    assert len(cut) < len(pdf)
    report = verify_offline(cut, public)
    assert report.seal_valid is True
    assert not report.ok
    text = "\n".join(report.messages())
    assert "HASIL: SAH" not in text and "tanda tangan digital TIDAK ADA" in text


def test_an_unsigned_certificate_verifies_as_a_draft_not_as_official(
    ctx: DeskContext, users: dict[str, Actor]
) -> None:
    _, pdf = issued_certificate(ctx, users)
    ops = DocumentOps(ctx)
    for report in (ops.verify_pdf(pdf), verify_offline(pdf, ops.public_key())):
        assert report.seal_valid is True and report.draft
        assert not report.official
        text = "\n".join(report.messages())
        assert "HASIL: SAH" not in text and "HASIL: DRAF" in text
        assert "bukan dokumen resmi" in text


def test_a_draft_with_a_signature_appended_later_is_not_valid(
    ctx: DeskContext, users: dict[str, Actor], office_certificate: tuple[bytes, bytes]
) -> None:
    """A draft was sealed not for signing: even the office's own certificate may not be
    appended afterwards (it would make the draft look official).
    """
    _, pdf = issued_certificate(ctx, users)
    ops = DocumentOps(ctx)
    office = load_identity(office_certificate[0], PASSPHRASE)
    late = sign_pdf(pdf, office, reason="x", location="Serang")
    report = verify_offline(late, ops.public_key(), (office_certificate[1],))
    assert not report.ok and "HASIL: TIDAK SAH" in report.messages()


def test_offline_verification_accepts_several_published_keys(
    ctx: DeskContext, users: dict[str, Actor], signing_office: DocumentOps
) -> None:
    _, pdf = issued_certificate(ctx, users)
    retired = public_key_pem(Ed25519PrivateKey.generate())
    current = signing_office.public_key()
    assert verify_offline(pdf, retired + current).official
    assert verify_offline(pdf, current + retired).official
    assert not verify_offline(pdf, retired).ok


def test_an_update_after_the_offices_own_signature_is_not_valid(
    ctx: DeskContext, users: dict[str, Actor], signing_office: DocumentOps
) -> None:
    pdf, other = two_certificates(ctx, users)
    public = signing_office.public_key()
    for changed in (overlay_update(pdf, "SITI PALSU"), info_update(pdf, other)):
        for report in (verify_offline(changed, public), signing_office.verify_pdf(changed)):
            assert not report.ok, report.messages()
            assert "HASIL: TIDAK SAH" in report.messages()


FIRST_FORM = Path(__file__).parent.parent / "data" / "first-seal-form"
"""Samples written before key ids: the seal and blocks in ``Keywords``, a DDK1 QR, no pin."""


def _embedded_signer_der(pdf: bytes) -> bytes:
    from pyhanko.pdf_utils.reader import PdfFileReader

    [signature] = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_regular_signatures
    return bytes(signature.signer_cert.dump())


def test_files_of_the_first_seal_form_still_verify() -> None:
    sample_key = public_key_pem(signing_key(bytes(range(32))))  # the samples' office key
    other = public_key_pem(Ed25519PrivateKey.generate())
    signed = (FIRST_FORM / "akta_kelahiran-ditandatangani.pdf").read_bytes()
    assert b"/Keywords (DDKSEAL:" in signed and b"DDKSEAL2" not in signed
    # no pin in the first form: the signer must be a trusted one
    unjudged = verify_offline(signed, other + sample_key)
    assert unjudged.seal_valid is True and unjudged.pinned_signer is None
    assert not unjudged.ok and "--trust" in "\n".join(unjudged.messages())
    trusted = verify_offline(signed, other + sample_key, (_embedded_signer_der(signed),))
    assert trusted.official, trusted.messages()
    assert not verify_offline(signed, other, (_embedded_signer_der(signed),)).ok
    # cut off, the first form is a genuine draft at best: never SAH
    cut = verify_offline(signed[: signed.index(b"%%EOF") + 6], sample_key)
    assert cut.ok and cut.draft and not cut.official
    assert "HASIL: DRAF" in cut.verdict
