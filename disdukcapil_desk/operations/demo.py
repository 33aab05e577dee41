"""Demo data: realistic requests over the last months in every status (operations layer)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
from collections import Counter
from dataclasses import dataclass, field

from disdukcapil_desk.db.repositories import requests as requests_repo
from disdukcapil_desk.db.repositories import users as users_repo
from disdukcapil_desk.domain.catalogue import FieldType, FormField, Service
from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.delivery import OutputKind
from disdukcapil_desk.domain.demo_data import (
    Person,
    document_png,
    make_no_kk,
    random_address,
    random_person,
    random_phone,
    text_value,
)
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError
from disdukcapil_desk.domain.vocabulary import Channel
from disdukcapil_desk.domain.wilayah import Wilayah
from disdukcapil_desk.domain.workflow import Action, Role, Status
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.demo_delivery import (
    DemoAfterApproval,
    channels_answer,
    path_after_approval,
)
from disdukcapil_desk.operations.intake import IncomingRow, IntakeOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.setup import ADMIN_SETUP_ACTOR, DINAS_CODE
from disdukcapil_desk.operations.users import UserOps

DEMO_PASSWORD = "demo12345"
MAX_DEMO_REQUESTS = 100_000
_WEIGHTS = {
    "ktpel_perekaman": 12,
    "ktpel_penggantian": 10,
    "kk_perubahan_data": 12,
    "kk_baru": 6,
    "kk_hilang_rusak": 5,
    "kia": 8,
    "akta_kelahiran": 14,
    "akta_kematian": 6,
    "pindah_datang_antar_kabkota": 3,
    "pindah_dalam_kabupaten": 3,
    "pindah_keluar_skpwni": 3,
    "akta_perkawinan": 2,
    "akta_perceraian": 1,
    "legalisir": 3,
    "sinkronisasi_data": 3,
}
_CHILD_FORMS = frozenset({"kia"})
"""Services whose common fields describe a child (the catalogue's subject), not the applicant."""
_PERSON_NAMES = frozenset(
    {
        "nama_orang_tua_wali",
        "nama_kepala_keluarga",
        "nama_pada_akta",
        "nama_ayah",
        "nama_ibu",
        "nama_penjamin",
        "nama_lama",
        "nama_baru",
        "nama_pemuka_agama",
    }
)
"""Name fields of people that do not end in ``nama``."""
_PARENT_FIELDS = {"P": ("ibu_nik", "ibu_nama"), "L": ("ayah_nik", "ayah_nama")}
_PATHS: dict[Status, tuple[Action, ...]] = {
    Status.NEW: (),
    Status.IN_REVIEW: (Action.CLAIM,),
    Status.NEEDS_REVISION: (Action.CLAIM, Action.REQUEST_REVISION),
    Status.REJECTED: (Action.CLAIM, Action.REJECT),
    Status.CANCELLED: (Action.CANCEL,),
}
"""The paths that end before approval; the rest follow ``path_after_approval``."""
_OFFICE_STEPS = frozenset({Action.RECORD_SIAK, Action.ISSUE, Action.SEND})
"""Steps of the dinas's operator (SIAK, TTE, sending); pickups happen at the counter."""

_DEMO_CHANNELS = [Channel.WHATSAPP, Channel.WEB, Channel.EMAIL, Channel.IMPORT]
"""The channels demo rows arrive by (a walk-in at the counter is typed, never ingested)."""


@dataclass
class DemoSummary:
    """What the demo created, and how to log in."""

    incoming: int = 0
    created: int = 0
    quarantined: int = 0
    resubmissions: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    logins: list[tuple[str, str]] = field(default_factory=list)

    def describe(self) -> str:
        """Return an Indonesian summary for the console."""
        lines = [
            f"Baris masuk: {self.incoming}; permohonan: {self.created}; "
            f"dikarantina: {self.quarantined}; perbaikan: {self.resubmissions}",
            "Status: "
            + ", ".join(f"{Status(s).label} {n}" for s, n in sorted(self.statuses.items())),
            f"Login demo (kata sandi '{DEMO_PASSWORD}'):",
        ]
        lines += [f"  {login:<18} {role}" for login, role in self.logins]
        return "\n".join(lines) + "\n"


class _Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def set(self, moment: dt.datetime) -> None:
        self.now = moment

    def __call__(self) -> dt.datetime:
        return self.now


class DemoOps:
    """Fill a database with demo requests that went through the real intake and workflow."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx

    def generate(self, count: int, *, seed: int = 1, days: int = 120) -> DemoSummary:
        """Create ``count`` requests received over the last ``days`` days, in every status.

        Raises:
            DeskError: ``count`` is not between 1 and :data:`MAX_DEMO_REQUESTS`, or ``days`` < 1.
        """
        if not 1 <= count <= MAX_DEMO_REQUESTS:
            raise DeskError(f"Jumlah permohonan demo harus 1 s.d. {MAX_DEMO_REQUESTS}: {count}")
        if days < 1:
            raise DeskError(f"Rentang hari demo harus paling sedikit 1: {days}")
        rng = random.Random(seed)
        with self._ctx.reading() as session:  # the server's time on PostgreSQL
            now = self._ctx.now(session)
        summary = DemoSummary()
        users = self._ensure_users(summary)
        incoming = [self._incoming(rng, now, days, i, seed) for i in range(count)]
        spoiled = {r.received_at for r, bad in incoming if bad and r.received_at is not None}
        rows = [row for row, _ in incoming] + self._malformed(rng, now, seed, max(2, count // 40))
        self._ingest_by_day(rows, now, summary)
        self._walk(rng, now, users, spoiled, today=False)
        unreachable = self._unreachable(rng)
        channels_answer(self._ctx, seed, unreachable, receipts=True)
        self._walk(rng, now, users, spoiled, today=True)
        channels_answer(self._ctx, seed + 1, unreachable, receipts=False)
        summary.resubmissions = self._resubmit_some(rng, now, seed)
        with self._ctx.reading() as session:
            summary.statuses.update(requests_repo.statuses(session))
        return summary

    def _ingest_by_day(
        self, rows: list[IncomingRow], now: dt.datetime, summary: DemoSummary
    ) -> None:
        """Ingest the rows day by day at the end of their office day (never after ``now``),
        so that what the desk wrote on arrival (the "received" message) is dated then too.
        """
        clock = _Clock(now)
        ctx = dataclasses.replace(self._ctx, clock=clock, server_clock=clock)
        intake = IntakeOps(ctx)
        days: dict[dt.date, list[IncomingRow]] = {}
        for row in sorted(rows, key=lambda r: r.received_at or now):
            days.setdefault((row.received_at or now).astimezone(WIB).date(), []).append(row)
        for day_rows in days.values():
            summary.incoming += sum(1 for r in day_rows if intake.submit_row(r) is not None)
            last = max(r.received_at or now for r in day_rows)
            clock.now = min(last + dt.timedelta(minutes=10), now)
            report = intake.ingest()
            summary.created += report.created
            summary.quarantined += report.quarantined

    def _unreachable(self, rng: random.Random) -> list[str]:
        """A few citizens whose number or address no channel reaches (about one in thirty)."""
        with self._ctx.reading() as session:
            contacts = sorted(set(requests_repo.contacts(session)))
        return [c for c in contacts if rng.random() < 1 / 30]

    def _ensure_users(self, summary: DemoSummary) -> dict[str, Actor]:
        specs = [
            ("kasi.dinas", Role.SECTION_HEAD, DINAS_CODE, "Hj. Rohayati, S.Sos"),
            ("operator.dinas", Role.VERIFIER, DINAS_CODE, "Dedi Permana"),
            ("loket.dinas", Role.COUNTER, DINAS_CODE, "Siti Nurhayati"),
        ]
        specs += [
            (f"loket.upt{k.code[-2:]}", Role.COUNTER, f"UPT-{k.code[-2:]}", f"Petugas {k.name}")
            for k in self._ctx.reference.wilayah.kecamatan_list
        ]
        ops = UserOps(self._ctx)
        with self._ctx.reading() as session:
            existing = users_repo.all_logins(session)
        for login, role, location, name in specs:
            if login not in existing:
                ops.add(
                    ADMIN_SETUP_ACTOR,
                    login,
                    DEMO_PASSWORD,
                    role,
                    full_name=name,
                    location_code=location,
                )
            if len(summary.logins) < 5:
                summary.logins.append((login, role.label))
        summary.logins.append(("loket.uptNN", "Petugas loket UPT kecamatan NN (05…35)"))
        admins = [u.login for u in ops.list() if u.role is Role.ADMIN]
        summary.logins += [(login, Role.ADMIN.label) for login in admins[:1]]
        return {login: ops.actor(login) for login, *_ in specs}

    def _incoming(
        self, rng: random.Random, now: dt.datetime, days: int, index: int, seed: int
    ) -> tuple[IncomingRow, bool]:
        """An intake row, and whether its form was spoiled (it then never finishes)."""
        services = [s for s in self._ctx.reference.catalogue]
        weights = [_WEIGHTS.get(s.code, 1) for s in services]
        service = rng.choices(services, weights)[0]
        received = _office_hours(rng, now - dt.timedelta(days=rng.triangular(0, days, 0)), now)
        # The person of the common fields: a child for a KIA (a parent applies), else an adult.
        min_age, max_age = (0, 16) if service.code in _CHILD_FORMS else (17, 75)
        person = random_person(
            rng,
            self._ctx.reference.wilayah,
            today=received.date(),
            min_age=min_age,
            max_age=max_age,
        )
        payload = _payload(rng, service, person, received.date(), self._ctx.reference.wilayah)
        spoiled = rng.random() < 0.08
        if spoiled:
            _spoil(rng, payload)
        channel = rng.choices(_DEMO_CHANNELS, [70, 20, 5, 5])[0].value
        attachments = tuple(
            (req.code, f"{req.code}.png", "image/png", document_png(rng))
            for req in service.requirements[: rng.randint(1, min(3, len(service.requirements)))]
        )
        row = IncomingRow(
            channel=channel,
            external_ref=f"demo-{seed}-{index}",
            received_at=received,
            sender=str(payload["no_hp"]),
            service_code=service.code,
            payload=json.dumps(payload, ensure_ascii=False),
            attachments=attachments,
        )
        return row, spoiled

    def _malformed(
        self, rng: random.Random, now: dt.datetime, seed: int, count: int
    ) -> list[IncomingRow]:
        bad = [
            ("kia", '{"nama": "Bagas"', "+6285712345678"),
            ("surat_sakti", '{"nama": "Rudi"}', "+6285712345678"),
            ("akta_kelahiran", '["bukan", "objek"]', "+6281234567890"),
            ("ktpel_perekaman", '{"nama": "Tanpa Kontak"}', ""),
        ]
        rows = []
        for i in range(count):
            code, payload, sender = bad[i % len(bad)]
            rows.append(
                IncomingRow(
                    channel=Channel.WHATSAPP.value,
                    external_ref=f"demo-{seed}-bad-{i}",
                    received_at=now - dt.timedelta(hours=rng.randint(1, 500)),
                    sender=sender,
                    service_code=code,
                    payload=payload,
                )
            )
        return rows

    def _walk(
        self,
        rng: random.Random,
        now: dt.datetime,
        users: dict[str, Actor],
        spoiled: set[dt.datetime],
        *,
        today: bool,
    ) -> None:
        """Move each new request along its path, at the times the demo makes up: its clock
        stands for the server's too (PostgreSQL would date every step to now). ``today``:
        only the requests of the last day, else only the older ones.
        """
        clock = _Clock(now)
        ctx = dataclasses.replace(self._ctx, clock=clock, server_clock=clock)
        queue = QueueOps(ctx)
        after = DemoAfterApproval(ctx, rng, clock.set)
        with self._ctx.reading() as session:
            requests = requests_repo.arrivals_with_status(session, Status.NEW)
        for request_id, received_at, location, service_code in requests:
            age = (now - received_at).days
            if (age == 0) != today:
                continue
            target = _target_status(rng, age)
            if received_at in spoiled and target not in _PATHS:
                target = Status.NEEDS_REVISION  # a spoiled form goes back to the citizen
            counter = users.get(_counter_login(location), users["loket.dinas"])
            clock.now = min(received_at + dt.timedelta(minutes=rng.randint(5, 90)), now)
            path = (
                _PATHS[target]
                if target in _PATHS
                else (
                    Action.CLAIM,
                    Action.APPROVE,
                    *path_after_approval(target, self._outputs(service_code)),
                )
            )
            for action in path:
                actor = _actor_for(action, counter, users)
                if action in _AFTER_APPROVAL:
                    after.apply(actor, request_id, action, now)
                else:
                    self._apply(queue, actor, request_id, action)
                # A decision follows its claim within the lease; later steps take hours.
                gap = (
                    dt.timedelta(minutes=rng.randint(2, 12))
                    if action is Action.CLAIM
                    else dt.timedelta(hours=rng.randint(1, 20))
                )
                clock.now = min(clock.now + gap, now)

    def _outputs(self, service_code: str) -> OutputKind:
        return self._ctx.reference.catalogue.get(service_code).outputs

    def _apply(self, queue: QueueOps, actor: Actor, request_id: int, action: Action) -> None:
        if action is Action.CLAIM:
            queue.claim(actor, request_id)
        elif action is Action.REQUEST_REVISION:
            queue.decide(
                actor,
                request_id,
                action,
                citizen_message=("Mohon kirim ulang foto KK yang jelas dan terbaca seluruhnya."),
            )
        else:
            queue.decide(actor, request_id, action, reason=_REASONS.get(action, ""))

    def _resubmit_some(self, rng: random.Random, now: dt.datetime, seed: int) -> int:
        with self._ctx.reading() as session:
            waiting = requests_repo.contacts_with_status(session, Status.NEEDS_REVISION)
        intake = IntakeOps(self._ctx)
        for i, (number, service_code, contact) in enumerate(waiting[::3]):
            intake.submit_row(
                IncomingRow(
                    channel=Channel.WHATSAPP.value,
                    external_ref=f"demo-{seed}-fix-{i}",
                    received_at=now - dt.timedelta(minutes=rng.randint(1, 600)),
                    sender=contact,
                    service_code=service_code,
                    payload=json.dumps({"catatan": "sudah diperbaiki"}),
                    reply_to_number=number,
                    attachments=(("kk", "kk_baru.png", "image/png", document_png(rng)),),
                )
            )
        return intake.ingest().resubmissions


_AFTER_APPROVAL = frozenset(
    {
        Action.RECORD_SIAK,
        Action.ISSUE,
        Action.SEND,
        Action.BOOK_PICKUP,
        Action.CHECK_IN,
        Action.FINISH,
    }
)

_REASONS = {
    Action.REJECT: "Persyaratan bukan untuk layanan ini; silakan ajukan layanan yang sesuai",
    Action.CANCEL: "Dibatalkan atas permintaan pemohon",
}


def _counter_login(location: str) -> str:
    return "loket.dinas" if location == DINAS_CODE else f"loket.upt{location[-2:]}"


def _actor_for(action: Action, counter: Actor, users: dict[str, Actor]) -> Actor:
    if action in _OFFICE_STEPS:
        return users["operator.dinas"]
    if action is Action.CANCEL:
        return users["kasi.dinas"]
    return counter


def _target_status(rng: random.Random, age_days: int) -> Status:
    if age_days <= 2:
        options = {
            Status.NEW: 40,
            Status.IN_REVIEW: 12,
            Status.NEEDS_REVISION: 10,
            Status.APPROVED: 8,
            Status.SIAK_RECORDED: 6,
            Status.REJECTED: 5,
            Status.ISSUED: 6,
            Status.SENT: 5,
            Status.READY_FOR_PICKUP: 8,
        }
    elif age_days <= 14:
        options = {
            Status.NEW: 6,
            Status.NEEDS_REVISION: 14,
            Status.APPROVED: 3,
            Status.SIAK_RECORDED: 3,
            Status.REJECTED: 8,
            Status.ISSUED: 6,
            Status.SENT: 30,
            Status.READY_FOR_PICKUP: 4,
            Status.COLLECTED: 22,
            Status.CANCELLED: 4,
        }
    else:
        options = {
            Status.NEEDS_REVISION: 5,
            Status.REJECTED: 10,
            Status.ISSUED: 2,
            Status.SENT: 44,
            Status.COLLECTED: 28,
            Status.DONE: 6,
            Status.CANCELLED: 5,
        }
    return rng.choices(list(options), list(options.values()))[0]


def _office_hours(
    rng: random.Random, moment: dt.datetime, now: dt.datetime | None = None
) -> dt.datetime:
    """Most messages arrive in office hours; none after ``now`` (when given)."""
    local = moment.astimezone(WIB)
    if rng.random() < 0.85:
        local = local.replace(hour=rng.randint(7, 15), minute=rng.randint(0, 59))
    arrived = local.astimezone(dt.UTC)
    if now is not None and arrived > now:  # today's office hours not yet come: earlier today
        arrived = now - dt.timedelta(minutes=rng.randint(5, 600), seconds=rng.random())
    return arrived


def applicant_payload(
    rng: random.Random, person: Person, no_kk: str, phone: str | None = None
) -> dict[str, object]:
    """The applicant's part of every form (the catalogue's common fields): an address is made
    up here, and a phone number too unless given.
    """
    return {
        "nik": person.nik,
        "no_kk": no_kk,
        "nama": person.name,
        "tempat_lahir": person.birth_place,
        "tanggal_lahir": person.birth_date.isoformat(),
        "jenis_kelamin": person.sex,
        "alamat": random_address(rng),
        "rt": f"{rng.randint(1, 12):03d}",
        "rw": f"{rng.randint(1, 8):03d}",
        "kode_desa": person.kode_desa,
        "no_hp": phone if phone is not None else random_phone(rng),
    }


def _payload(
    rng: random.Random, service: Service, person: Person, today: dt.date, wilayah: Wilayah
) -> dict[str, object]:
    no_kk = make_no_kk(
        person.kecamatan_code,
        today - dt.timedelta(days=rng.randint(30, 4000)),
        rng.randint(1, 9999),
    )
    payload = applicant_payload(rng, person, no_kk)
    for form_field in service.fields:
        if payload.get(form_field.name):
            continue  # a common field relabelled by the service: the same person's value
        payload[form_field.name] = _field_value(rng, form_field, today, service, wilayah, person)
    if service.code == "akta_kelahiran":  # the applicant is one of the parents
        nik_field, name_field = _PARENT_FIELDS[person.sex]
        payload[nik_field], payload[name_field] = person.nik, person.name
    return payload


def _field_value(
    rng: random.Random,
    form_field: FormField,
    today: dt.date,
    service: Service,
    wilayah: Wilayah,
    person: Person,
) -> object:
    if form_field.name == service.event_date_field:
        late = rng.random() < 0.1
        days = rng.randint(70, 900) if late else rng.randint(1, 50)
        return (today - dt.timedelta(days=days)).isoformat()
    kind = form_field.type
    if kind is FieldType.DATE:
        return (today - dt.timedelta(days=rng.randint(1, 3000))).isoformat()
    if kind is FieldType.NIK:
        return random_person(rng, wilayah, today=today, min_age=20).nik
    if kind is FieldType.NO_KK:
        issued = today - dt.timedelta(days=400)
        return make_no_kk(person.kecamatan_code, issued, rng.randint(1, 9999))
    if kind is FieldType.SEX:
        return rng.choice("LP")
    if kind is FieldType.INTEGER:
        return str(rng.randint(1, 4))
    if kind is FieldType.CHOICE and form_field.choices:
        return rng.choice(form_field.choices)
    if kind is FieldType.PHONE:
        return random_phone(rng)
    if kind is FieldType.DESA:
        return person.kode_desa
    if form_field.name.endswith("nama") or form_field.name in _PERSON_NAMES:
        return random_person(rng, wilayah, today=today).name
    if form_field.name == "nik_anggota_pindah":
        members = (random_person(rng, wilayah, today=today).nik for _ in range(rng.randint(1, 3)))
        return ", ".join(members)
    if "alamat" in form_field.name:
        return random_address(rng)
    return text_value(rng, form_field.name, wilayah, person.kecamatan_code, today)


def _spoil(rng: random.Random, payload: dict[str, object]) -> None:
    spoiler = rng.choice(("short_nik", "no_name", "wrong_sex", "bad_desa", "bad_date"))
    if spoiler == "short_nik":
        payload["nik"] = str(payload["nik"])[:15]
    elif spoiler == "no_name":
        payload["nama"] = ""
    elif spoiler == "wrong_sex":
        payload["jenis_kelamin"] = "L" if payload["jenis_kelamin"] == "P" else "P"
    elif spoiler == "bad_desa":
        payload["kode_desa"] = "3604999999"
    else:
        payload["tanggal_lahir"] = "31-02-1990"
