"""Recaps: gather the figures of a period and write the workbook or PDF (operations layer).

``Recaps.build_recap`` checks the permission, reads the figures with ``GROUP BY`` queries, streams
the register rows into the file (masked NIK unless allowed and asked for), records the export in
the audit log and returns a small result. The GUI runs it in a worker with ``progress`` and
``cancelled``; the CLI runs it directly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import recap as repo
from disdukcapil_desk.domain.catalogue import ServiceGroup
from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.delivery import OutputKind
from disdukcapil_desk.domain.dto import Actor, CancelFn, ProgressFn
from disdukcapil_desk.domain.errors import DeskError, NotFound
from disdukcapil_desk.domain.nik import mask_number
from disdukcapil_desk.domain.office import OfficeSettings
from disdukcapil_desk.domain.recap import (
    CHANNEL_LABELS,
    STATUS_NOTE,
    Breakdown,
    FigureRow,
    Figures,
    FigureTable,
    OfficerRow,
    Period,
    PeriodOutOfRange,
    RecapData,
    RecapMeta,
    RecapResult,
    RegisterNames,
    RegisterRow,
    RowKind,
    Signer,
    TripFigures,
    TripRow,
    TripsPart,
    TripTable,
    daily_table,
    format_date_id,
    hour_rows,
    register_maker,
    total,
    trip_total,
    workday_index,
)
from disdukcapil_desk.domain.workflow import Permission, Status, require
from disdukcapil_desk.exports.recap_xlsx import write_recap_xlsx
from disdukcapil_desk.operations.audit import chain_head, record
from disdukcapil_desk.operations.boundaries import listing_office
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.office import OfficeOps
from disdukcapil_desk.paths import resource_path
from disdukcapil_desk.reports.recap_pdf import render_recap_pdf

__all__ = ["SUFFIXES", "RecapResult", "Recaps"]

SUFFIXES = (".xlsx", ".pdf")
_PROGRESS_EVERY = 1000
_GROUP_LABELS = {
    ServiceGroup.PENDAFTARAN_PENDUDUK: "Pendaftaran Penduduk",
    ServiceGroup.PENCATATAN_SIPIL: "Pencatatan Sipil",
    ServiceGroup.LAINNYA: "Lainnya",
}
_UNKNOWN = "(tidak diketahui)"
_Groups = repo.Groups
"""The counts of each (service, location, kecamatan, desa, channel): ``repo.figure_groups``."""


class _Cancelled(Exception):
    pass


class Recaps:
    """Recap sheets for section heads: figures of a period, as Excel or PDF."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx

    def build_recap(
        self,
        actor: Actor,
        date_from: dt.date,
        date_to: dt.date,
        location: str | None,
        path: Path,
        *,
        full_nik: bool = False,
        register: bool = True,
        progress: ProgressFn | None = None,
        cancelled: CancelFn | None = None,
    ) -> RecapResult:
        """Write the recap of requests received ``date_from``..``date_to`` to ``path``.

        Args:
            actor: who exports (section head or administrator).
            date_from: first office day (WIB) of the period.
            date_to: last office day, included.
            location: a location code, or None for all locations.
            path: the file to write; ``.xlsx`` or ``.pdf`` decides the format.
            full_nik: show whole NIKs in the register (needs the right to see them).
            register: write the register of every request (the last sheet, the PDF's
                attachment); without it the recap is its figures only, and quick.
            progress: called with (register rows written, register rows in all).
            cancelled: polled while writing; True stops and leaves no file behind.

        Returns:
            What was written (or that it was cancelled).

        Raises:
            PermissionDenied: the actor may not export recaps, or not see whole NIKs.
            NotFound: an unknown location.
            DeskError: a bad period or file type.
        """
        require(actor, Permission.EXPORT_RECAP)
        if full_nik:
            require(actor, Permission.VIEW_FULL_NIK)
        location = listing_office(actor, location)
        suffix = path.suffix.lower()
        if suffix not in SUFFIXES:
            raise DeskError("Berkas rekap harus berakhiran .xlsx atau .pdf")
        period = _period(date_from, date_to)
        if not path.parent.is_dir():
            raise DeskError(f"Folder {path.parent} tidak ada; buat dahulu atau pilih folder lain")
        started = time.perf_counter()
        office = OfficeOps(self._ctx).get()
        partial = path.with_name(f".{path.name}.part")
        try:
            with self._ctx.reading() as session:
                data = self._collect(session, actor, period, location, office, full_nik)
                rows = (
                    self._register(session, data, location, full_nik, progress, cancelled)
                    if register
                    else None
                )
                if rows is None and cancelled and cancelled():
                    raise _Cancelled
                if suffix == ".xlsx":
                    write_recap_xlsx(data, rows, partial)
                else:
                    render_recap_pdf(data, rows, partial, resource_path("fonts"))
            partial.replace(path)
        except _Cancelled:
            partial.unlink(missing_ok=True)
            return RecapResult(path, 0, 0, time.perf_counter() - started, cancelled=True)
        except BaseException:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            raise
        self._audit(actor, data, location, path, full_nik, register)
        return RecapResult(
            path,
            data.register_count if register else 0,
            data.total.received,
            time.perf_counter() - started,
        )

    def recap_data(
        self, actor: Actor, date_from: dt.date, date_to: dt.date, location: str | None
    ) -> RecapData:
        """Return the figures of a recap without writing a file (for a preview).

        Raises:
            PermissionDenied: the actor may not export recaps.
        """
        require(actor, Permission.EXPORT_RECAP)
        location = listing_office(actor, location)
        period = _period(date_from, date_to)
        office = OfficeOps(self._ctx).get()
        with self._ctx.reading() as session:
            return self._collect(session, actor, period, location, office, full_nik=False)

    # -- gathering ------------------------------------------------------------------------

    def _collect(
        self,
        session: Session,
        actor: Actor,
        period: Period,
        location: str | None,
        office: OfficeSettings,
        full_nik: bool,
    ) -> RecapData:
        locations = {code: (name, kind) for code, name, kind in repo.locations(session)}
        if location and location not in locations:
            raise NotFound(f"Lokasi '{location}' tidak dikenal")
        scope = repo.RecapScope(period, location or None, self._ctx.postgresql)
        repo.tune_for_aggregates(session, scope)
        groups = self._figure_groups(session, scope)
        services = self._service_table(session, groups)
        service_names = [(r.code, self._short_name(r.code, r.label)) for r in services.rows]
        return RecapData(
            meta=self._meta(session, actor, period, location, locations, office, full_nik),
            services=services,
            locations=self._location_table(scope, groups, locations),
            daily=daily_table(period, service_names, repo.received_per_day(session, scope)),
            officers=self._officers(session, scope),
            wilayah=self._wilayah_table(groups),
            channels=self._channel_table(groups),
            register_count=services.total.received,
            trips=self._trips(session, scope, services, locations, groups),
        )

    def _figure_groups(self, session: Session, scope: repo.RecapScope) -> _Groups:
        """Read the figure groups with a workday table from the period's first day to today
        (no request finished later), or, should one have, to its finish.
        """
        calendar = self._ctx.reference.calendar
        today = self._ctx.now(session).astimezone(WIB).date()
        last = max(scope.period.last, today)
        while True:
            table = repo.WorkdayTable.of(workday_index(calendar, scope.period.first, last))
            read = repo.figure_groups(session, scope, table)
            if read.beyond is None:
                return read.groups
            last = read.beyond

    def _meta(
        self,
        session: Session,
        actor: Actor,
        period: Period,
        location: str | None,
        locations: dict[str, tuple[str, str]],
        office: OfficeSettings,
        full_nik: bool,
    ) -> RecapMeta:
        printed_at = self._ctx.now(session).astimezone(WIB).replace(tzinfo=None)
        user = repo.user_signature(session, actor.login)
        name = (user[0] if user else "") or actor.full_name or actor.login
        signers = (
            Signer(
                ("Mengetahui,", "Kepala Bidang Pelayanan", "Pendaftaran Penduduk"),
                office.head_of_registration_name,
                office.head_of_registration_nip,
            ),
            Signer(
                ("Mengetahui,", "Kepala Bidang Pelayanan", "Pencatatan Sipil"),
                office.head_of_civil_registry_name,
                office.head_of_civil_registry_nip,
            ),
            Signer(
                (f"{office.place_of_issue}, {format_date_id(printed_at.date())}", "Yang membuat,"),
                name,
                user[1] if user else "",
            ),
        )
        return RecapMeta(
            government=office.government,
            agency=f"{office.agency} {office.regency.upper()}",
            period=period,
            location_label=locations[location][0] if location else "Semua lokasi",
            printed_by=name,
            printed_at=printed_at,
            place=office.place_of_issue,
            signers=signers,
            full_nik=full_nik,
            audit_head=_audit_head_line(self._ctx),
        )

    def _short_name(self, code: str, name: str) -> str:
        """The catalogue's short name of a service, for the narrow columns (daily, register)."""
        catalogue = self._ctx.reference.catalogue
        return catalogue.get(code).label if code in catalogue else name

    def _service_table(self, session: Session, figures: _Groups) -> FigureTable:
        found = {k[0]: f for k, f in repo.roll_up(figures, Breakdown.SERVICE)}
        stored = {code: (name, group) for code, name, group in repo.services(session)}
        order = [s.code for s in self._ctx.reference.catalogue if s.code in stored]
        order += sorted(set(stored) - set(order))
        groups = []
        for group in ServiceGroup:
            label = _GROUP_LABELS[group]
            members = [
                FigureRow(code, stored[code][0], found.get(code, Figures()), label)
                for code in order
                if stored[code][1] == group.value
            ]
            groups.append((group.value, f"Jumlah {label}", members))
        return _grouped_table(
            groups,
            total(found.values()),
            key="layanan",
            title="Rekap per layanan",
            first_header="Layanan",
            group_header="Kelompok",
            note=STATUS_NOTE,
        )

    def _location_table(
        self,
        scope: repo.RecapScope,
        groups: _Groups,
        locations: dict[str, tuple[str, str]],
    ) -> FigureTable:
        found = {k[0]: f for k, f in repo.roll_up(groups, Breakdown.LOCATION)}
        codes = [scope.location_code] if scope.location_code else list(locations)
        rows = tuple(
            FigureRow(
                code,
                locations[code][0],
                found.get(code, Figures()),
                _location_kind(locations[code][1]),
            )
            for code in codes
        )
        return FigureTable(
            key="lokasi",
            title="Rekap per lokasi",
            first_header="Lokasi",
            rows=rows,
            total=total(found.values()),
            group_header="Jenis",
            note=STATUS_NOTE,
        )

    def _wilayah_table(self, groups: _Groups) -> FigureTable:
        wilayah = self._ctx.reference.wilayah
        found = repo.roll_up(groups, Breakdown.WILAYAH)
        per_kecamatan: dict[str, list[FigureRow]] = defaultdict(list)
        for (kec_code, desa_code), figures in sorted(found):
            kecamatan = wilayah.kecamatan(kec_code) if kec_code else None
            desa = wilayah.desa(desa_code) if desa_code else None
            kec_name = kecamatan.name if kecamatan else _UNKNOWN
            label = desa.name if desa else (desa_code or _UNKNOWN)
            per_kecamatan[kec_name if kecamatan else "~"].append(
                FigureRow(desa_code, label, figures, kec_name)
            )
        return _grouped_table(
            [(m[0].group, f"Kec. {m[0].group}", m) for m in per_kecamatan.values()],
            total(f for _, f in found),
            key="wilayah",
            title="Rekap per wilayah pemohon",
            first_header="Desa/Kelurahan",
            group_header="Kecamatan",
            note="Menurut alamat pemohon. " + STATUS_NOTE,
        )

    def _channel_table(self, groups: _Groups) -> FigureTable:
        found = {k[0]: f for k, f in repo.roll_up(groups, Breakdown.CHANNEL)}
        codes = list(CHANNEL_LABELS) + sorted(set(found) - set(CHANNEL_LABELS))
        rows = tuple(
            FigureRow(code, CHANNEL_LABELS.get(code, code), found.get(code, Figures()))
            for code in codes
        )
        return FigureTable(
            key="kanal",
            title="Rekap per kanal",
            first_header="Kanal",
            rows=rows,
            total=total(found.values()),
            note=STATUS_NOTE,
        )

    def _trips(
        self,
        session: Session,
        scope: repo.RecapScope,
        services: FigureTable,
        locations: dict[str, tuple[str, str]],
        groups: _Groups,
    ) -> TripsPart:
        """Trips and waiting per (service, location): the statuses from the figure groups,
        the rounds, messages and no-shows from ``repo.trip_extras``; added up here per service
        (in the services table's order and groups) and per location; pickups per hour.
        """
        found = list(_trip_groups(self._ctx, groups, repo.trip_extras(session, scope)).items())
        per_service: dict[str, TripFigures] = defaultdict(TripFigures)
        per_location: dict[str, TripFigures] = defaultdict(TripFigures)
        for (service, location), figures in found:
            per_service[service] += figures
            per_location[location] += figures
        grand = trip_total(f for _, f in found)
        rows = [TripRow(r.code, r.label, per_service[r.code], r.group) for r in services.rows]
        rows += [  # a code no longer in the service table still counts
            TripRow(code, code, figures, _UNKNOWN)
            for code, figures in sorted(per_service.items())
            if code not in {r.code for r in services.rows}
        ]
        subtotals = tuple(
            TripRow(
                sub.code,
                sub.label,
                trip_total(r.figures for r in rows if r.group == _GROUP_LABELS[group]),
                kind=RowKind.GROUP,
            )
            for sub, group in zip(services.subtotals, ServiceGroup, strict=True)
        )
        by_service = TripTable("Per layanan", "Layanan", "Kelompok", tuple(rows), subtotals, grand)
        codes = [scope.location_code] if scope.location_code else list(locations)
        location_rows = [
            (code, locations[code][0], _location_kind(locations[code][1])) for code in codes
        ]
        by_location = TripTable(
            "Per lokasi",
            "Lokasi",
            "Jenis",
            tuple(TripRow(c, label, per_location[c], kind) for c, label, kind in location_rows),
            total=grand,
        )
        hours = hour_rows(location_rows, repo.pickups_per_hour(session, scope))
        return TripsPart(by_service, by_location, hours)

    def _officers(self, session: Session, scope: repo.RecapScope) -> tuple[OfficerRow, ...]:
        medians = repo.officer_medians(session, scope)
        rows = [
            OfficerRow(
                c.login,
                c.name,
                c.handled,
                c.approved,
                c.revised,
                c.rejected,
                c.issued,
                medians.get(c.login),
                c.siak_recorded,
                c.sent,
                c.handed_over,
            )
            for c in repo.officer_counts(session, scope)
        ]
        return tuple(sorted(rows, key=lambda r: (r.name.lower(), r.login)))

    # -- the register ---------------------------------------------------------------------

    def _register(
        self,
        session: Session,
        data: RecapData,
        location: str | None,
        full_nik: bool,
        progress: ProgressFn | None,
        cancelled: CancelFn | None,
    ) -> Iterator[RegisterRow]:
        scope = repo.RecapScope(data.meta.period, location or None, self._ctx.postgresql)
        wilayah = self._ctx.reference.wilayah
        names = RegisterNames(
            services={r.code: self._short_name(r.code, r.label) for r in data.services.rows},
            locations={code: name for code, name, _ in repo.locations(session)},
            kecamatan={k.code: k.name for k in wilayah.kecamatan_list},
            desa={d.code: d.name for d in wilayah.desa_list},
            statuses={s.value: s.label for s in Status},
            users={**repo.user_names(session), "system": "Sistem"},
            mask=(lambda v: v) if full_nik else mask_number,
        )
        return _stream(
            map(register_maker(names), repo.register_rows(session, scope)),
            data.register_count,
            progress,
            cancelled,
        )

    def _audit(
        self,
        actor: Actor,
        data: RecapData,
        location: str | None,
        path: Path,
        full_nik: bool,
        register: bool,
    ) -> None:
        period = data.meta.period
        with self._ctx.unit_of_work() as session:
            record(
                self._ctx,
                session,
                actor,
                "export_recap",
                "recap",
                f"{period.first.isoformat()}..{period.last.isoformat()}",
                after={
                    "date_from": period.first.isoformat(),
                    "date_to": period.last.isoformat(),
                    "location": location or "all",
                    "file": path.name,
                    "rows": data.register_count if register else 0,
                    "full_nik": full_nik,
                    "register": register,
                },
                detail=f"Rekap {period.label}, {data.meta.location_label}: "
                f"{data.register_count} permohonan ke {path.name}"
                + ("" if register else " (tanpa register)"),
            )


def _trip_groups(
    ctx: DeskContext,
    groups: _Groups,
    extras: Iterable[tuple[tuple[str, str], TripFigures]],
) -> dict[tuple[str, str], TripFigures]:
    """The trip figures of each (service, location): the status counts added up from the
    figure groups (a ``done`` request of a service whose only output is an electronic document
    finished without a visit, of any other service with one), plus ``extras``.
    """
    catalogue = ctx.reference.catalogue
    electronic = {s.code for s in catalogue if s.outputs is OutputKind.DOCUMENT}
    field = {name: i for i, name in enumerate(repo.GROUP_COUNTS)}
    received, sent = field["received"], field["sent"]
    collected, done = field["collected"], field["done"]
    found: dict[tuple[str, str], TripFigures] = {}
    for (service, location), c in repo.add_up(groups, (0, 1)).items():
        done_without_visit = c[done] if service in electronic else 0
        found[(service, location)] = TripFigures(
            received=c[received],
            finished=c[sent] + c[collected] + c[done],
            no_visit=c[sent] + done_without_visit,
            one_visit=c[collected] + c[done] - done_without_visit,
        )
    for pair, figures in extras:
        found[pair] = found[pair] + figures if pair in found else figures
    return found


def _location_kind(kind: str) -> str:
    return "Dinas" if kind == "dinas" else "UPT"


def _grouped_table(
    groups: Iterable[tuple[str, str, Sequence[FigureRow]]],
    grand_total: Figures,
    *,
    key: str,
    title: str,
    first_header: str,
    group_header: str,
    note: str,
) -> FigureTable:
    """A table whose rows come group by group, with one subtotal row a group.

    ``groups``: (code, label, rows) of each group in order; the subtotal row gets the code and
    label and sums the group's rows (an empty group still gets its subtotal of zeros).
    """
    rows: list[FigureRow] = []
    subtotals: list[FigureRow] = []
    for code, label, members in groups:
        rows += members
        subtotals.append(
            FigureRow(code, label, total(r.figures for r in members), kind=RowKind.GROUP)
        )
    return FigureTable(
        key=key,
        title=title,
        first_header=first_header,
        rows=tuple(rows),
        subtotals=tuple(subtotals),
        total=grand_total,
        group_header=group_header,
        note=note,
    )


def _stream(
    rows: Iterable[RegisterRow],
    total_rows: int,
    progress: ProgressFn | None,
    cancelled: CancelFn | None,
) -> Iterator[RegisterRow]:
    if progress:
        progress(0, total_rows)
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % _PROGRESS_EVERY == 0:
            if cancelled and cancelled():
                raise _Cancelled
            if progress:
                progress(done, max(total_rows, done))
    if cancelled and cancelled():
        raise _Cancelled
    if progress:
        progress(done, max(total_rows, done))


def _audit_head_line(ctx: DeskContext) -> str:
    head = chain_head(ctx)  # its own short transaction: appends wait while heads are read
    return head.line(WIB) if head is not None else "Kepala log audit: RUSAK (baris kepala hilang)"


def _period(date_from: dt.date, date_to: dt.date) -> Period:
    try:
        return Period(date_from, date_to)
    except PeriodOutOfRange as exc:
        raise DeskError(f"Periode tidak sah: {exc}") from None
    except ValueError:
        raise DeskError(
            f"Periode tidak sah: {format_date_id(date_from)} sesudah {format_date_id(date_to)}"
        ) from None
