"""Password hashing with salted scrypt (slow by design); no plain password is ever stored.

A hash carries its own parameters (``scrypt$N$r$p$salt$hash``), so a hash made with older,
cheaper parameters still verifies; :func:`needs_rehash` says when a successful login should
store a fresh hash with the current ones.

The work factor: OWASP asks for N=2^17, r=8, p=1 (128 MiB). Measured on the office's kind of
machine (``bench/password_hash.py``), that costs 0.5-0.75 s per login, above the half second a
counter officer should wait; N=2^16 (64 MiB, about 0.3-0.4 s) is four times the old 2^14 and
keeps the login under that bound. Raising it later is this one constant: every account moves to
the new cost at its next login.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

SCHEME = "scrypt"
_SALT_BYTES = 16
_DIGEST_BYTES = 32
_MAX_MEMORY = 512 * 1024 * 1024
"""A stored hash asking for more memory than this does not verify (a hostile row)."""
MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True, slots=True)
class ScryptCost:
    """The scrypt parameters: CPU/memory cost ``n`` (a power of two), block size, parallelism."""

    n: int
    r: int = 8
    p: int = 1

    @property
    def memory(self) -> int:
        """Bytes of memory one hash needs (what ``hashlib.scrypt``'s ``maxmem`` must allow)."""
        return 128 * self.r * (self.n + self.p + 2)


CURRENT_COST = ScryptCost(n=2**16, r=8, p=1)
"""What new hashes use; a stored hash with other parameters is rehashed at its next login."""
LEGACY_COST = ScryptCost(n=2**14, r=8, p=1)
"""What the desk used before (for tests and the bench)."""

_DUMMY_SALT = b"disdukcapil-desk"
_DUMMY_DIGEST = b"\0" * _DIGEST_BYTES


def hash_password(password: str, cost: ScryptCost = CURRENT_COST) -> str:
    """Return ``scrypt$n$r$p$salt$hash`` for ``password`` with a fresh random salt."""
    salt = secrets.token_bytes(_SALT_BYTES)
    return _format(cost, salt, _scrypt(password, salt, cost))


def verify_password(password: str, stored: str) -> bool:
    """Return whether ``password`` matches ``stored`` (constant-time comparison)."""
    parsed = _parse(stored)
    if parsed is None:
        return False
    cost, salt, digest = parsed
    try:
        candidate = _scrypt(password, salt, cost)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(candidate, digest)


def dummy_hash() -> str:
    """A well-formed hash at the current cost that no password matches.

    Verifying a password against it takes as long as verifying against a real account's hash,
    so a login that names no account (or one that cannot log in) answers in the same time.
    """
    return _format(CURRENT_COST, _DUMMY_SALT, _DUMMY_DIGEST)


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was made with other parameters than :data:`CURRENT_COST`."""
    parsed = _parse(stored)
    return parsed is None or parsed[0] != CURRENT_COST


def hash_cost(stored: str) -> ScryptCost | None:
    """The parameters ``stored`` was made with; None when it is not a scrypt hash."""
    parsed = _parse(stored)
    return parsed[0] if parsed else None


def password_problem(password: str) -> str | None:
    """Return why ``password`` is not acceptable (Indonesian), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter"
    if password.strip() != password:
        return "Kata sandi tidak boleh diawali atau diakhiri spasi"
    return None


def _parse(stored: str) -> tuple[ScryptCost, bytes, bytes] | None:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != SCHEME:
            return None
        return (
            ScryptCost(int(n), int(r), int(p)),
            base64.b64decode(salt, validate=True),
            base64.b64decode(digest, validate=True),
        )
    except (ValueError, TypeError):
        return None


def _format(cost: ScryptCost, salt: bytes, digest: bytes) -> str:
    return "$".join([SCHEME, str(cost.n), str(cost.r), str(cost.p), _b64(salt), _b64(digest)])


def _scrypt(password: str, salt: bytes, cost: ScryptCost) -> bytes:
    if cost.memory > _MAX_MEMORY:
        raise ValueError("scrypt parameters beyond the memory limit")
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=cost.n,
        r=cost.r,
        p=cost.p,
        maxmem=cost.memory + 1024 * 1024,
        dklen=_DIGEST_BYTES,
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
