"""The texts to the citizen: one message that lists everything to fix, and the notices the
outbox sends at each change (domain layer).

The wording lives in ``resources/templates/messages.json`` so the office can change it without
code; this module only decides what goes in and in which order.

Every message is addressed to the applicant (``{nama}``: for a death, the pelapor; for a KIA,
the parent). When the document is about someone else, ``{atas_nama}`` reads
" atas nama <subject>" (e.g. "akta kematian atas nama SARMADI"), else nothing.
"""

from __future__ import annotations

import dataclasses
import json
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from disdukcapil_desk.domain.delivery import MessageKind
from disdukcapil_desk.domain.errors import CatalogueError
from disdukcapil_desk.domain.vocabulary import FAILED_CHECK_STATES

FAILED_STATES = tuple(state.value for state in FAILED_CHECK_STATES)


@dataclass(frozen=True, slots=True)
class FailedItem:
    """A requirement the officer marked as not passing."""

    label: str
    state: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class DataProblem:
    """A data problem the citizen must correct."""

    field_label: str
    message: str


def on_behalf_of(subject: str) -> str:
    """The ``{atas_nama}`` text: " atas nama <subject>", or ``""`` without another subject."""
    subject = subject.strip()
    return f" atas nama {subject}" if subject else ""


NOTICE_KINDS = (
    MessageKind.RECEIVED,
    MessageKind.APPROVED,
    MessageKind.REJECTED,
    MessageKind.CANCELLED,
    MessageKind.DOCUMENT_SENT,
    MessageKind.READY_FOR_PICKUP,
    MessageKind.PICKUP_REMINDER,
    MessageKind.PICKUP_REBOOKED,
)
"""The kinds the desk writes from a template of ``notices`` (a revision has its own, and a
correction is the officer's own text)."""


@dataclass(frozen=True, slots=True)
class NoticeValues:
    """What a notice may say; an empty value reads as nothing."""

    name: str
    service: str
    number: str
    office: str
    location: str = ""
    subject: str = ""
    document: str = ""
    date: str = ""
    time: str = ""
    bring: str = ""
    reason: str = ""
    siak_numbers: str = ""
    """Already worded, e.g. "\n\nNomor akta: 3604-LU-02112026-0001", or ``""``."""

    def placeholders(self) -> dict[str, str]:
        """The ``{placeholder}`` values of the templates."""
        return {
            "nama": self.name or "Pemohon",
            "atas_nama": on_behalf_of(self.subject),
            "layanan": self.service,
            "dokumen": self.document or self.service,
            "nomor": self.number,
            "kantor": self.office,
            "lokasi": self.location,
            "tanggal": self.date,
            "jam": self.time,
            "bawa": self.bring,
            "alasan": self.reason,
            "nomor_siak": self.siak_numbers,
        }


NOTICE_PLACEHOLDERS = frozenset(NoticeValues("", "", "", "").placeholders())


@dataclass(frozen=True)
class MessageTemplates:
    """The texts of ``messages.json``."""

    revision: Mapping[str, str]
    notices: Mapping[MessageKind, str] = dataclasses.field(default_factory=dict)

    def notice(self, kind: MessageKind, values: NoticeValues) -> str:
        """Return the message of ``kind`` (an outbox notice) filled with ``values``.

        Raises:
            CatalogueError: the office's templates have no text for ``kind``.
        """
        template = self.notices.get(kind)
        if template is None:
            raise CatalogueError(f"Templat pesan '{kind.value}' tidak ada di messages.json")
        return template.format(**values.placeholders())

    def revision_message(
        self,
        *,
        name: str,
        service: str,
        number: str,
        office: str,
        items: Sequence[FailedItem],
        problems: Sequence[DataProblem],
        subject: str = "",
    ) -> str:
        """Return one message listing every failed requirement and every data problem.

        ``name``: the applicant, who is addressed; ``subject``: whom the document is about when
        that is someone else (``""`` otherwise).
        """
        lines = [
            self.revision["opening"].format(
                nama=name or "Pemohon",
                layanan=service,
                nomor=number,
                atas_nama=on_behalf_of(subject),
            ),
            "",
        ]
        n = 0
        for item in items:
            n += 1
            line = self.revision[item.state].format(n=n, label=item.label)
            if item.note.strip():
                line += self.revision["note"].format(note=item.note.strip())
            lines.append(line)
        for problem in problems:
            n += 1
            lines.append(
                self.revision["finding"].format(
                    n=n, field=problem.field_label, message=problem.message
                )
            )
        lines += ["", self.revision["closing"].format(nomor=number, kantor=office)]
        return "\n".join(lines)


def load_message_templates(path: Path) -> MessageTemplates:
    """Load ``messages.json``; a missing text names itself in the error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        revision = dict(data["revision"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CatalogueError(f"Templat pesan {path.name}: {exc!r}") from None
    keys = ("opening", "finding", "note", "closing", *FAILED_STATES)
    missing = [k for k in keys if not isinstance(revision.get(k), str)]
    if missing:
        raise CatalogueError(f"Templat pesan {path.name}: revision tanpa {missing}")
    return MessageTemplates(revision, _notices(path.name, data.get("notices")))


def _notices(name: str, raw: object) -> dict[MessageKind, str]:
    """Read ``notices``: a text for every kind of ``NOTICE_KINDS``, using known placeholders
    only (a misspelt one would otherwise fail when the message is written, mid-decision).
    """
    if not isinstance(raw, dict):
        raise CatalogueError(f"Templat pesan {name}: bagian 'notices' tidak ada")
    notices: dict[MessageKind, str] = {}
    for kind in NOTICE_KINDS:
        text = raw.get(kind.value)
        if not isinstance(text, str) or not text.strip():
            raise CatalogueError(f"Templat pesan {name}: notices tanpa '{kind.value}'")
        used = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
        unknown = sorted(used - NOTICE_PLACEHOLDERS)
        if unknown:
            raise CatalogueError(
                f"Templat pesan {name}: notices '{kind.value}' memakai isian yang tidak "
                f"dikenal: {', '.join('{' + u + '}' for u in unknown)}"
            )
        notices[kind] = text
    return notices
