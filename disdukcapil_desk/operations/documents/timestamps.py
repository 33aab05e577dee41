"""The office's RFC 3161 timestamp server: with one, PAdES signatures carry a trusted timestamp
(B-T, and B-LT when the certificate chains are at hand); without, they are B-B.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from disdukcapil_desk.db.repositories import documents as repo
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.workflow import Permission, require
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents.custody import TIMESTAMP_URL_KEY
from disdukcapil_desk.operations.office import put_audited


class TimestampServer:
    """Read and set the timestamp server every workstation signs with."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx

    def url(self) -> str:
        """The configured server's URL, or "" (signatures are PAdES B-B)."""
        with self._ctx.reading() as session:
            return repo.office_values(session).get(TIMESTAMP_URL_KEY, "")

    def configure(self, actor: Actor, url: str) -> str:
        """Set (or with "" remove) the timestamp server; audited. Returns the stored URL.

        Raises:
            PermissionDenied: the actor is not an administrator.
            DeskError: not an http(s) URL.
        """
        require(actor, Permission.MANAGE_OFFICE)
        url = checked_url(url)
        with self._ctx.unit_of_work() as session:
            before = repo.office_values(session).get(TIMESTAMP_URL_KEY, "")
            put_audited(
                self._ctx,
                session,
                actor,
                (TIMESTAMP_URL_KEY, url),
                action="signing_timestamp",
                entity=("office_setting", TIMESTAMP_URL_KEY),
                before={"url": before},
                after={"url": url},
            )
        return url


def checked_url(url: str) -> str:
    """Return ``url`` trimmed when it is an http(s) URL with a host, or "".

    Raises:
        DeskError: anything else.
    """
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise DeskError(
            "Alamat server cap waktu harus URL http:// atau https://, mis. http://tsa.contoh.go.id"
        )
    return url
