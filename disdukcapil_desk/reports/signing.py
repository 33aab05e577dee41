"""PAdES signatures with the office's PKCS#12 certificate, through pyHanko (reports layer).

Signing appends an incremental update to the sealed PDF, so the desk's own seal over the file as
first written stays checkable; the signature covers the whole file. The level is PAdES B-B; with
the office's RFC 3161 timestamp server, B-T (the signature carries a trusted timestamp), and B-LT
when the certificate chains are available offline (the validation data is embedded after the
signature). Neither signing nor validation fetches revocation data: a workstation at a UPT may
be offline (only the timestamp server is asked, when one is set).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from disdukcapil_desk.domain.documents import METADATA_KEY, PadesLevel, SignatureCheck
from disdukcapil_desk.domain.errors import DeskError

log = logging.getLogger(__name__)

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
    cert_sha256: str = ""
    """SHA-256 (hex) of the signing certificate: what the seal pins."""


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
        cert_sha256=hashlib.sha256(cert.dump()).hexdigest(),
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


def sign_pdf(
    pdf: bytes,
    identity: SigningIdentity,
    *,
    reason: str,
    location: str,
    timestamp_url: str = "",
) -> bytes:
    """Return ``pdf`` with a PAdES signature of ``identity`` appended (incremental update).

    Args:
        pdf: the sealed file.
        identity: the office's certificate.
        reason: the signature's reason.
        location: the signature's place.
        timestamp_url: an RFC 3161 timestamp server ("" for none: level B-B). With one, the
            signature is B-T, and B-LT when the signer's and the timestamp authority's chains
            validate offline from the certificates at hand (the PKCS#12's and the token's).

    Raises:
        DeskError: the timestamp server did not answer or refused.
    """
    if not timestamp_url:
        return _sign(pdf, identity, reason, location, None, None)
    from pyhanko.sign.general import SigningError
    from pyhanko_certvalidator.errors import PathError, ValidationError

    timestamper = _timestamper(timestamp_url)
    try:
        context = _offline_context(identity, timestamper)
        if context is not None:
            try:
                return _sign(pdf, identity, reason, location, timestamper, context)
            except (SigningError, PathError, ValidationError, ValueError) as exc:
                log.info("data validasi tidak dapat disematkan (B-T saja): %s", exc)
        return _sign(pdf, identity, reason, location, timestamper, None)
    except OSError as exc:  # pyHanko's TimestampRequestError is one
        raise DeskError(f"Server cap waktu {timestamp_url} tidak menjawab: {exc}") from exc


@functools.lru_cache(maxsize=4)
def _timestamper(url: str) -> Any:
    """One client per server, kept: it remembers the server's certificates between signatures."""
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=10)


def _sign(
    pdf: bytes,
    identity: SigningIdentity,
    reason: str,
    location: str,
    timestamper: Any,
    context: Any,
) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        embed_validation_info=context is not None,
        validation_context=context,
    )
    output = signers.sign_pdf(writer, meta, signer=identity.signer, timestamper=timestamper)
    return bytes(output.getvalue())


def _offline_context(identity: SigningIdentity, timestamper: Any) -> Any:
    """A validation context that never fetches, trusting the self-signed certificates of the
    PKCS#12 and of the timestamp token; None when the office's chain has no root at hand.
    """
    import asyncio

    from asn1crypto import x509
    from pyhanko_certvalidator import ValidationContext

    certs = [x509.Certificate.load(der) for der in identity.trust_roots_der]
    asyncio.run(timestamper.async_dummy_response("sha256"))  # asks the server for its certs
    token_certs = list(timestamper.cert_registry)
    roots = [c for c in (*certs, *token_certs) if c.self_signed]
    if not any(c.self_signed for c in certs):
        return None
    return ValidationContext(
        trust_roots=roots,
        other_certs=[*certs, *token_certs],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def check_signature(
    pdf: bytes,
    trust_roots_der: Sequence[bytes] | None = None,
) -> SignatureCheck | None:
    """Validate the PDF's signatures; None when it has none.

    The last signature is reported; ``signatures`` counts them all. A signature followed only
    by validation data (a DSS, document timestamps) still counts as covering the whole file.

    Args:
        pdf: the file.
        trust_roots_der: certificates to trust (DER); None when trust is not to be judged.
    """
    from asn1crypto import x509
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if b"/ByteRange" not in pdf:
        return None
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
    except (PdfReadError, ValueError, KeyError):
        return SignatureCheck(False, False, None, "tanda tangan tidak terbaca")
    if not signatures:
        return None
    roots = [x509.Certificate.load(der) for der in trust_roots_der or ()]

    def context() -> ValidationContext:
        return ValidationContext(trust_roots=roots, allow_fetching=False)

    statuses = [validate_pdf_signature(s, context(), context()) for s in signatures]
    last = statuses[-1]
    return SignatureCheck(
        intact=all(s.intact and s.valid for s in statuses),
        covers_whole_file=_covers_whole_file(last),
        trusted=all(s.trusted for s in statuses) if trust_roots_der is not None else None,
        signer=_common_name(last.signing_cert),
        signed_at=last.signer_reported_dt,
        cert_sha256=hashlib.sha256(last.signing_cert.dump()).hexdigest(),
        signatures=len(statuses),
        level=_level(last, reader),
        timestamped_at=_timestamp_time(last),
    )


def verification_metadata(pdf: bytes) -> tuple[str, str] | None:
    """The document-info entries that hold the desk's seal and blocks (``/DDKDesk``, and
    ``/Keywords`` of files of the first form) as a PDF reader sees them in the file's latest
    revision; None when the file cannot be read.
    """
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        info = PdfFileReader(io.BytesIO(pdf), strict=False).trailer_view.get("/Info")
        if info is None:
            return ("", "")
        info = info.get_object()
        return (str(info.get(METADATA_KEY, "")), str(info.get("/Keywords", "")))
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _covers_whole_file(status: Any) -> bool:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    return bool(
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level == ModificationLevel.LTA_UPDATES
    )


def _level(status: Any, reader: Any) -> PadesLevel:
    """B-T when the signature carries an intact timestamp token; B-LT with a DSS as well."""
    timestamp = status.timestamp_validity
    if timestamp is None or not (timestamp.intact and timestamp.valid):
        return PadesLevel.B_B
    return PadesLevel.B_LT if "/DSS" in reader.root else PadesLevel.B_T


def _timestamp_time(status: Any) -> dt.datetime | None:
    timestamp = status.timestamp_validity
    return None if timestamp is None else timestamp.timestamp


def _common_name(cert: Any) -> str:
    subject = cert.subject.native
    return str(subject.get("common_name") or cert.subject.human_friendly)
