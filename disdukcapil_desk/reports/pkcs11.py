"""A hardware token (PKCS#11) as the signing identity, through pyHanko (reports layer).

The token keeps the private key: it never leaves the device, not even into the signing
service's memory. The configuration is pyHanko's own PKCS#11 setup (the keys of a
``pkcs11-setups`` entry of ``pyhanko.yml``) written as JSON, e.g.::

    {"module-path": "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
     "token-criteria": {"label": "DISDUKCAPIL"},
     "cert-label": "ttd-dinas", "key-label": "ttd-dinas"}

The PIN is not in the file: the service asks it at start (or reads ``$DISDUKCAPIL_TOKEN_PIN``).
Needs the ``python-pkcs11`` package and the token vendor's module; see docs/signing.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.reports.signing import SigningIdentity, identity_of


def load_pkcs11_config(path: Path) -> Any:
    """Read a token's configuration (pyHanko's ``PKCS11SignatureConfig``).

    Raises:
        DeskError: the file cannot be read or is not a valid PKCS#11 setup.
    """
    from pyhanko.config.errors import ConfigurationError
    from pyhanko.config.pkcs11 import PKCS11SignatureConfig

    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DeskError(f"Konfigurasi PKCS#11 tidak dapat dibaca: {path} ({exc})") from exc
    if not isinstance(raw, dict):
        raise DeskError(f"Konfigurasi PKCS#11 harus berupa objek JSON: {path}")
    raw.pop("user-pin", None)  # never from a file: asked at start
    raw.setdefault("prompt-pin", "skip")
    try:
        return PKCS11SignatureConfig.from_config(raw)  # type: ignore[no-untyped-call]
    except (ConfigurationError, TypeError, ValueError) as exc:
        raise DeskError(f"Konfigurasi PKCS#11 salah: {exc}") from exc


def open_token(config: Any, pin: str) -> SigningIdentity:
    """Log in to the token and return its signing identity (the session stays open).

    Raises:
        DeskError: the vendor's module is absent, python-pkcs11 is not installed, or the token
            refuses (wrong PIN, no such token or key).
    """
    module = Path(config.module_path)
    if not module.is_file():
        raise DeskError(f"Modul PKCS#11 tidak ditemukan: {module} (pasang driver token)")
    try:
        from pyhanko.sign.pkcs11 import PKCS11SigningContext
    except ImportError as exc:
        raise DeskError(
            "Paket python-pkcs11 belum terpasang: token PKCS#11 tidak dapat dipakai"
        ) from exc
    try:
        signer = PKCS11SigningContext(config, user_pin=pin).__enter__()  # type: ignore[no-untyped-call]
    except Exception as exc:  # the library's errors are many and untyped
        raise DeskError(f"Token PKCS#11 menolak: {exc}") from exc
    return identity_of(signer)
