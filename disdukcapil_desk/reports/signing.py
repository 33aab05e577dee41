"""PAdES signatures with the office's PKCS#12 certificate, through pyHanko (reports layer).

Signing appends an incremental update to the sealed PDF, so the desk's own seal over the file as
first written stays checkable; the signature covers the whole file. Validation never goes to the
network (no revocation fetching): a workstation at a UPT may be offline.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from disdukcapil_desk.domain.documents import SignatureCheck
from disdukcapil_desk.domain.errors import DeskError

# pyHanko logs every untrusted or broken signature with a traceback; the desk reports them itself.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

SIGNATURE_FIELD = "TandaTanganDinas"


@dataclass(frozen=True, slots=True)
class SigningIdentity:
    """A loaded PKCS#12: who signs, until when, and the certificates a verifier should trust."""

    signer: Any
    subject: str
    not_after: dt.datetime
    trust_roots_der: tuple[bytes, ...]


def load_identity(pkcs12: bytes, passphrase: str) -> SigningIdentity:
    """Load a PKCS#12 (.p12/.pfx) file's key and certificates.

    Raises:
        DeskError: the file cannot be opened with this passphrase or holds no key.
    """
    from pyhanko.sign.signers import SimpleSigner

    try:
        signer = SimpleSigner.load_pkcs12_data(pkcs12, [], passphrase=passphrase.encode())
    except ValueError as exc:
        raise DeskError(
            "Berkas sertifikat (PKCS#12) tidak dapat dibuka: kata sandi salah atau berkas rusak"
        ) from exc
    return identity_of(signer)


def identity_of(signer: Any) -> SigningIdentity:
    """The identity of a pyHanko signer (a PKCS#12's or a token's)."""
    cert = signer.signing_cert
    chain = [cert, *signer.cert_registry]
    return SigningIdentity(
        signer=signer,
        subject=_common_name(cert),
        not_after=cert.not_valid_after,
        trust_roots_der=tuple(dict.fromkeys(c.dump() for c in chain)),
    )


def self_signed_pkcs12(
    common_name: str,
    passphrase: str,
    *,
    not_after: dt.datetime,
    organisation: str = "Disdukcapil Kabupaten Serang",
) -> tuple[bytes, bytes]:
    """Return a self-signed signing certificate as PKCS#12 and the certificate as DER.

    For trials, training and the smoke test only: a real office signs with a certificate issued
    by a certification authority.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    usage = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(not_after)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(passphrase.encode())
    data = pkcs12.serialize_key_and_certificates(b"dinas", key, cert, None, encryption)
    return data, cert.public_bytes(serialization.Encoding.DER)


def sign_pdf(pdf: bytes, identity: SigningIdentity, *, reason: str, location: str) -> bytes:
    """Return ``pdf`` with a PAdES signature of ``identity`` appended (incremental update)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    output = signers.sign_pdf(writer, meta, signer=identity.signer)
    return bytes(output.getvalue())


def check_signature(
    pdf: bytes, trust_roots_der: Sequence[bytes] | None = None
) -> SignatureCheck | None:
    """Validate the PDF's signatures; None when it has none.

    Args:
        pdf: the file.
        trust_roots_der: certificates to trust (DER); None when trust is not to be judged.
    """
    from asn1crypto import x509
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    if b"/ByteRange" not in pdf:
        return None
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except (PdfReadError, ValueError, KeyError):
        return SignatureCheck(False, False, None, "tanda tangan tidak terbaca")
    if not signatures:
        return None
    roots = [x509.Certificate.load(der) for der in trust_roots_der or ()]
    statuses = [validate_pdf_signature(s, ValidationContext(trust_roots=roots)) for s in signatures]
    last = statuses[-1]
    return SignatureCheck(
        intact=all(s.intact and s.valid for s in statuses),
        covers_whole_file=last.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        trusted=all(s.trusted for s in statuses) if trust_roots_der is not None else None,
        signer=_common_name(last.signing_cert),
        signed_at=last.signer_reported_dt,
    )


def _common_name(cert: Any) -> str:
    subject = cert.subject.native
    return str(subject.get("common_name") or cert.subject.human_friendly)
