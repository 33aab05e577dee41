"""A test RFC 3161 timestamp server on 127.0.0.1 (pyHanko's DummyTimeStamper behind
http.server), and a small test PKI: a root, the office's signing certificate and a TSA.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_START = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
_END = dt.datetime(2040, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class LocalPki:
    """The root (PEM, to trust), the office's PKCS#12 with its chain, the TSA's cert and key."""

    root_pem: bytes
    office_pkcs12: bytes
    tsa_cert_der: bytes
    tsa_key_der: bytes
    root_der: bytes


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Uji Disdukcapil Desk"),
        ]
    )


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool = False,
    tsa: bool = False,
) -> x509.Certificate:
    usage = x509.KeyUsage(not ca, not ca, False, False, False, ca, ca, False, False)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_START)
        .not_valid_after(_END)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage, critical=True)
    )
    if tsa:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return builder.sign(issuer_key, hashes.SHA256())


def make_pki(passphrase: str, office_name: str) -> LocalPki:
    """A root certifying the office's signing certificate and a timestamp authority."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _certificate("Root CA Uji", root_key, _name("Root CA Uji"), root_key, ca=True)
    office_key = ec.generate_private_key(ec.SECP256R1())
    office = _certificate(office_name, office_key, root.subject, root_key)
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's: RSA
    tsa = _certificate("TSA Uji", tsa_key, root.subject, root_key, tsa=True)
    encryption = serialization.BestAvailableEncryption(passphrase.encode())
    return LocalPki(
        root_pem=root.public_bytes(serialization.Encoding.PEM),
        office_pkcs12=pkcs12.serialize_key_and_certificates(
            b"dinas", office_key, office, [root], encryption
        ),
        tsa_cert_der=tsa.public_bytes(serialization.Encoding.DER),
        tsa_key_der=tsa_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        root_der=root.public_bytes(serialization.Encoding.DER),
    )


@contextmanager
def timestamp_server(pki: LocalPki) -> Iterator[str]:
    """Serve RFC 3161 on 127.0.0.1 (a free port) while the block runs; yields the URL."""
    from asn1crypto import keys, tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    tsa_cert = asn1_x509.Certificate.load(pki.tsa_cert_der)
    stamper = DummyTimeStamper(
        tsa_cert=tsa_cert,
        tsa_key=keys.PrivateKeyInfo.load(pki.tsa_key_der),
        certs_to_embed=[tsa_cert, asn1_x509.Certificate.load(pki.root_der)],  # type: ignore[arg-type]
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            answer: Any = stamper.request_tsa_response(tsp.TimeStampReq.load(body))
            data = answer.dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
