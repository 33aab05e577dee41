"""Recaps on SQLite and PostgreSQL: every figure of the workbook against the database itself."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import func, select

from disdukcapil_desk.cli.recap import add_commands
from disdukcapil_desk.db.models import AuditLog, Service, ServiceRequest
from disdukcapil_desk.domain.clock import WIB
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError, NotFound, PermissionDenied
from disdukcapil_desk.domain.recap import EMPTY_TEXT, FigureRow, Figures, RowKind
from disdukcapil_desk.domain.workflow import Action
from disdukcapil_desk.exports.recap_xlsx import HEADER_ROW, TOTAL_LABEL
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.demo import DemoOps
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.operations.intake import IntakeOps
from disdukcapil_desk.operations.queue import QueueOps
from disdukcapil_desk.operations.recaps import Recaps, _grouped_table
from disdukcapil_desk.operations.users import UserOps
from tests.factories import RECEIVED, make_request

FIRST, LAST = dt.date(2026, 10, 19), dt.date(2026, 11, 2)  # the fake clock's office day is LAST
SR = ServiceRequest
STATUS_COLUMNS = {
    "Belum diputus (baru/diperiksa)": ("new", "in_review"),
    "Perlu perbaikan": ("needs_revision",),
    "Disetujui (belum terbit)": ("approved", "siak_recorded"),
    "Terbit / selesai": ("issued", "sent", "ready_for_pickup", "collected", "done"),
    "Ditolak": ("rejected",),
    "Dibatalkan": ("cancelled",),
}


@pytest.fixture
def seeded(ctx: DeskContext) -> DeskContext:
    """Demo requests over the last 25 days: some before the period, every status inside it."""
    DemoOps(ctx).generate(45, seed=11, days=25)
    return ctx


def build(ctx: DeskContext, actor: Actor, path: Path, **kwargs: Any) -> Any:
    return Recaps(ctx).build_recap(actor, FIRST, LAST, kwargs.pop("location", None), path, **kwargs)


def table(ws: Worksheet, label_header: str) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Read a sheet's table back: ``{label: {header: value}}`` and the totals row."""
    headers = [c.value for c in ws[HEADER_ROW]]
    label_col = headers.index(label_header)
    rows: dict[str, dict[str, Any]] = {}
    for values in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
        record = dict(zip(headers, values, strict=False))
        if values[label_col] == TOTAL_LABEL:
            return rows, record
        key = str(values[label_col])
        if label_header == "Desa/Kelurahan":
            key = f"{values[1]}/{key}"
        rows[key] = record
    raise AssertionError(f"no totals row on {ws.title}")


def period_requests(ctx: DeskContext) -> list[Any]:
    start = dt.datetime.combine(FIRST, dt.time(), WIB)
    end = dt.datetime.combine(LAST + dt.timedelta(days=1), dt.time(), WIB)
    with ctx.sessions() as s:
        return list(
            s.execute(
                select(
                    SR.number,
                    SR.service_code,
                    SR.location_code,
                    SR.channel,
                    SR.status,
                    SR.received_at,
                    SR.closed_at,
                    SR.updated_at,
                    SR.sla_due,
                    SR.nik,
                    SR.subject_nik,
                ).where(SR.received_at >= start, SR.received_at < end)
            )
        )


def expected_figures(
    ctx: DeskContext, requests: list[Any], key: str | None
) -> dict[str, dict[str, Any]]:
    """The figures computed here, one request at a time, grouped by ``key``."""
    calendar = ctx.reference.calendar
    groups: dict[str, list[Any]] = defaultdict(list)
    for r in requests:
        groups[getattr(r, key) if key else "*"].append(r)
    result = {}
    for code, members in groups.items():
        figures: dict[str, Any] = {"Diterima": len(members)}
        for header, statuses in STATUS_COLUMNS.items():
            figures[header] = sum(1 for r in members if r.status in statuses)
        done = [r for r in members if r.status in STATUS_COLUMNS["Terbit / selesai"]]
        days, on_time = [], 0
        issued_at = issue_times(ctx)
        for r in done:
            closed = r.status in ("done", "sent", "collected")
            finished = (r.closed_at if closed else r.updated_at).astimezone(WIB).date()
            on_time += issued_at[r.number].astimezone(WIB).date() <= r.sla_due
            days.append(
                calendar.working_days_between(r.received_at.astimezone(WIB).date(), finished)
            )
        figures["Tepat waktu (%)"] = on_time / len(done) if done else None
        figures["Rata-rata hari kerja selesai"] = sum(days) / len(days) if days else None
        result[code] = figures
    return result


def issue_times(ctx: DeskContext) -> dict[str, dt.datetime]:
    """When each request was issued, from its ``issue`` entry in the audit log."""
    with ctx.sessions() as s:
        rows = s.execute(
            select(AuditLog.entity_key, func.min(AuditLog.at))
            .where(AuditLog.entity == "service_request", AuditLog.action == "issue")
            .group_by(AuditLog.entity_key)
        )
        return {number: at for number, at in rows}


def assert_same(actual: dict[str, Any], expected: dict[str, Any], where: str) -> None:
    for header, value in expected.items():
        if isinstance(value, float):
            assert actual[header] == pytest.approx(value), (where, header)
        else:
            assert actual[header] == value, (where, header, actual[header], value)


def test_every_figure_matches_the_database(seeded: DeskContext, users, tmp_path: Path) -> None:
    ctx = seeded
    path = tmp_path / "rekap.xlsx"
    result = build(ctx, users["kasi.dinas"], path)
    requests = period_requests(ctx)
    assert 20 < len(requests) < 45, "the seed must leave requests outside the period"
    assert result.rows == result.received == len(requests) and path.exists()
    wb = load_workbook(path)
    assert wb.sheetnames == [
        "Rekap per layanan",
        "Per lokasi",
        "Harian",
        "Per petugas",
        "Per wilayah",
        "Perjalanan",
        "Perjalanan per lokasi",
        "Pengambilan per jam",
        "Per kanal",
        "Register",
    ]
    with ctx.sessions() as s:
        names = dict(s.execute(select(Service.code, Service.name)).all())
    all_requests = expected_figures(ctx, requests, None)["*"]

    rows, totals = table(wb["Rekap per layanan"], "Layanan")
    assert len(rows) == len(names)  # every service, even without requests
    for code, figures in expected_figures(ctx, requests, "service_code").items():
        assert_same(rows[names[code]], figures, code)
    assert_same(totals, all_requests, "totals")
    assert sum(r["Diterima"] for r in rows.values()) == len(requests)

    rows, totals = table(wb["Per lokasi"], "Lokasi")
    assert_same(totals, all_requests, "per lokasi")
    assert sum(r["Diterima"] for r in rows.values()) == len(requests)
    rows, totals = table(wb["Per kanal"], "Kanal")
    assert_same(totals, all_requests, "per kanal")
    by_channel = Counter(r.channel for r in requests)
    labels = {"whatsapp": "WhatsApp", "web": "Web", "email": "E-mail", "import": "Impor"}
    assert {labels[c]: n for c, n in by_channel.items()} == {
        k: v["Diterima"] for k, v in rows.items() if v["Diterima"]
    }
    rows, totals = table(wb["Per wilayah"], "Desa/Kelurahan")
    assert_same(totals, all_requests, "per wilayah")

    daily, totals = table(wb["Harian"], "Layanan")
    per_day = Counter(r.received_at.astimezone(WIB).date() for r in requests)
    headers = [c.value for c in wb["Harian"][HEADER_ROW]]
    assert headers[2:-1] == [
        f"{(FIRST + dt.timedelta(days=i)):%d} {'Okt' if i < 13 else 'Nov'}" for i in range(15)
    ]
    assert [totals[h] for h in headers[2:-1]] == [
        per_day.get(FIRST + dt.timedelta(days=i), 0) for i in range(15)
    ]
    assert totals["Jumlah"] == len(requests) == sum(r["Jumlah"] for r in daily.values())

    register = wb["Register"]
    numbers = [
        row[1] for row in register.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if row[0]
    ]
    numbers = [n for n in numbers if isinstance(n, str) and "/" in n]
    assert sorted(numbers) == sorted(r.number for r in requests)

    officers, totals = table(wb["Per petugas"], "Petugas")
    with ctx.sessions() as s:
        audit = Counter(
            s.execute(
                select(AuditLog.action)
                .join(SR, SR.number == AuditLog.entity_key)
                .where(AuditLog.entity == "service_request", SR.number.in_(numbers))
            ).scalars()
        )
    assert totals["Disetujui"] == audit["approve"]
    assert totals["Perlu perbaikan"] == audit["request_revision"]
    assert totals["Ditolak"] == audit["reject"]
    assert totals["Diterbitkan"] == audit["issue"]
    assert all(
        r["Median jam sampai keputusan"] is None or r["Median jam sampai keputusan"] > 0
        for r in officers.values()
    )


def test_print_settings_and_title_block(seeded: DeskContext, users, tmp_path: Path) -> None:
    path = tmp_path / "rekap.xlsx"
    build(seeded, users["kasi.dinas"], path)
    wb = load_workbook(path)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9
        assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        assert ws.freeze_panes and ws.freeze_panes.endswith(str(HEADER_ROW + 1))
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith(f"A{HEADER_ROW}:")
        assert "Halaman &P dari &N" in ws.oddFooter.right.text
        assert "Dicetak oleh Kasi Dinas" in ws.oddFooter.left.text
        assert ws["A1"].value == "PEMERINTAH KABUPATEN SERANG"
        assert ws["A3"].value == "REKAPITULASI PELAYANAN ADMINISTRASI KEPENDUDUKAN"
        assert ws["A4"].value.startswith("Periode: 19 Oktober 2026 s.d. 2 November 2026")
        assert all(ws.column_dimensions[c].width for c in "ABC")
    summary = wb["Rekap per layanan"]
    texts = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Mengetahui," in texts and "Pendaftaran Penduduk" in texts
    number_formats = {c.number_format for c in summary[HEADER_ROW + 1]}
    assert {"#,##0", "0.0%", "0.0"} <= number_formats
    register = wb["Register"]
    first = register[HEADER_ROW + 1]
    assert isinstance(first[2].value, dt.datetime) and first[2].number_format == "dd-mm-yyyy hh:mm"
    assert first[3].number_format == "dd-mm-yyyy"


def test_nik_is_masked_unless_allowed_and_asked(seeded: DeskContext, users, tmp_path: Path) -> None:
    masked = tmp_path / "masked.xlsx"
    build(seeded, users["kasi.dinas"], masked)
    wb = load_workbook(masked)
    whole = re.compile(r"\d{16}")
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and whole.search(v) for v in row), ws.title
    niks = [
        nik
        for r in wb["Register"].iter_rows(min_row=HEADER_ROW + 1, values_only=True)
        if r[0] and isinstance(r[1], str) and "/" in r[1]
        for nik in r[-2:]  # the applicant's, and the subject's when someone else
    ]
    assert niks and all(re.fullmatch(r"\d{4}\*{8}\d{4}|\**.{0,2}", n or "") for n in niks)

    full = tmp_path / "full.xlsx"
    build(seeded, users["kasi.dinas"], full, full_nik=True)
    rows = list(load_workbook(full)["Register"].iter_rows(values_only=True))
    requests = period_requests(seeded)
    assert {r.nik for r in requests if r.nik} <= {r[-2] for r in rows}
    others = {r.subject_nik for r in requests if r.subject_nik and r.subject_nik != r.nik}
    assert others and others <= {r[-1] for r in rows}, "the deceased's, the child's NIK"

    with pytest.raises(PermissionDenied):  # administrators export, but may not see whole NIKs
        build(seeded, users["admin"], tmp_path / "x.xlsx", full_nik=True)
    with pytest.raises(PermissionDenied):  # counter officers do not export recaps
        build(seeded, users["loket.dinas"], tmp_path / "y.xlsx")
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "y.xlsx").exists()


def test_export_is_audited(seeded: DeskContext, users, tmp_path: Path) -> None:
    result = build(seeded, users["admin"], tmp_path / "rekap-upt.xlsx", location="UPT-05")
    with seeded.sessions() as s:
        entry = s.scalars(
            select(AuditLog).where(AuditLog.action == "export_recap").order_by(AuditLog.id.desc())
        ).first()
    assert entry is not None and entry.actor == "admin" and entry.entity == "recap"
    assert entry.entity_key == "2026-10-19..2026-11-02"
    assert entry.after and '"location": "UPT-05"' in entry.after
    assert '"file": "rekap-upt.xlsx"' in entry.after and f'"rows": {result.rows}' in entry.after


def test_one_location_counts_only_its_requests(seeded: DeskContext, users, tmp_path: Path) -> None:
    path = tmp_path / "dinas.xlsx"
    result = build(seeded, users["kasi.dinas"], path, location="DINAS")
    expected = sum(1 for r in period_requests(seeded) if r.location_code == "DINAS")
    assert result.rows == expected
    rows, totals = table(load_workbook(path)["Per lokasi"], "Lokasi")
    assert len(rows) == 1 and totals["Diterima"] == expected
    with pytest.raises(NotFound):
        build(seeded, users["kasi.dinas"], tmp_path / "z.xlsx", location="UPT-99")


def test_empty_period_gives_a_valid_workbook_that_says_so(ctx: DeskContext, users, tmp_path):
    path = tmp_path / "kosong.xlsx"
    result = Recaps(ctx).build_recap(
        users["kasi.dinas"], dt.date(2025, 1, 1), dt.date(2025, 1, 31), None, path
    )
    assert result.rows == 0 and result.received == 0
    wb = load_workbook(path)
    for ws in wb.worksheets:
        assert ws["A6"].value == EMPTY_TEXT, ws.title
    _, totals = table(wb["Rekap per layanan"], "Layanan")
    assert totals["Diterima"] == 0 and totals["Tepat waktu (%)"] is None
    pdf = tmp_path / "kosong.pdf"
    Recaps(ctx).build_recap(
        users["kasi.dinas"], dt.date(2025, 1, 1), dt.date(2025, 1, 31), None, pdf
    )
    assert pdf.read_bytes().startswith(b"%PDF")


def test_pdf_has_the_same_sheets(seeded: DeskContext, users, tmp_path: Path) -> None:
    path = tmp_path / "rekap.pdf"
    result = build(seeded, users["kasi.dinas"], path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and result.rows > 0
    assert data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 7
    assert b"/Helvetica" not in data  # every font embedded


def test_cancel_leaves_no_file_and_progress_reports(seeded: DeskContext, users, tmp_path):
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "batal.xlsx"
    seen: list[tuple[int, int]] = []
    result = build(
        seeded,
        users["kasi.dinas"],
        path,
        progress=lambda d, t: seen.append((d, t)),
        cancelled=lambda: True,
    )
    assert result.cancelled and not path.exists() and list(path.parent.iterdir()) == []
    assert seen[0][0] == 0
    done = build(seeded, users["kasi.dinas"], path, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (done.rows, done.rows)


def test_bad_requests_are_refused(ctx: DeskContext, users, tmp_path: Path) -> None:
    recaps = Recaps(ctx)
    with pytest.raises(DeskError, match="xlsx"):
        recaps.build_recap(users["kasi.dinas"], FIRST, LAST, None, tmp_path / "rekap.csv")
    with pytest.raises(DeskError, match="Periode"):
        recaps.build_recap(users["kasi.dinas"], LAST, FIRST, None, tmp_path / "rekap.xlsx")


def test_cli_recap_command(seeded: DeskContext, tmp_path: Path, monkeypatch) -> None:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    out_file = tmp_path / "cli.xlsx"
    args = parser.parse_args(
        [
            "recap",
            "--from",
            "2026-10-19",
            "--to",
            "2026-11-02",
            "--location",
            "all",
            "-o",
            str(out_file),
        ]
    )
    args.actor = UserOps(seeded).actor("kasi.dinas")  # logged in at the command line's door
    out = io.StringIO()
    assert args.handler(args, seeded, out) == 0
    assert out.getvalue().startswith("Rekap ditulis ke") and out.getvalue().count("\n") == 1
    assert out_file.exists()
    with seeded.sessions() as s:
        actor = s.scalar(select(func.max(AuditLog.actor)).where(AuditLog.action == "export_recap"))
    assert actor == "kasi.dinas", "audited as the user who logged in"
    with pytest.raises(SystemExit):
        parser.parse_args(["recap", "--from", "19-10-2026", "--to", "2026-11-02", "-o", "x.xlsx"])


def test_grouped_table_closes_each_group_with_its_subtotal() -> None:
    a1, a2 = (
        FigureRow("a1", "A 1", Figures(received=2, completed=1)),
        FigureRow("a2", "A 2", Figures(received=3)),
    )
    b1 = FigureRow("b1", "B 1", Figures(received=5, rejected=5))
    table = _grouped_table(
        [("A", "Jumlah A", [a1, a2]), ("E", "Jumlah E", []), ("B", "Jumlah B", [b1])],
        Figures(received=10),
        key="k",
        title="Judul",
        first_header="Baris",
        group_header="Kelompok",
        note="Catatan",
    )
    assert table.rows == (a1, a2, b1)
    assert [(r.code, r.label, r.kind) for r in table.subtotals] == [
        ("A", "Jumlah A", RowKind.GROUP),
        ("E", "Jumlah E", RowKind.GROUP),
        ("B", "Jumlah B", RowKind.GROUP),
    ]
    assert [r.figures for r in table.subtotals] == [
        Figures(received=5, completed=1),
        Figures(),
        Figures(received=5, rejected=5),
    ]
    assert table.total == Figures(received=10)
    assert (table.key, table.title, table.first_header) == ("k", "Judul", "Baris")
    assert (table.group_header, table.note) == ("Kelompok", "Catatan")


def test_on_time_counts_the_issue_not_the_pickup(ctx: DeskContext, users, clock) -> None:
    """Issued on the day it arrived, collected three weeks later: on time (the SLA is the
    office's; when the citizen collects the document is theirs). Another, issued after its
    due date, is late however soon it is collected."""
    intake = IntakeOps(ctx)
    for ref in ("wa-ontime", "wa-late"):
        intake.submit_row(make_request(external_ref=ref, sender=f"+62857123{len(ref):05d}"))
    intake.ingest()
    with ctx.sessions() as s:
        found = s.execute(select(SR.id, SR.sla_due).order_by(SR.id)).all()
    (early, due), (late, _) = found
    queue, documents = QueueOps(ctx), DocumentOps(ctx)
    counter, operator = users["loket.dinas"], users["operator.dinas"]
    clock.now = RECEIVED + dt.timedelta(hours=1)
    for request_id in (early, late):
        queue.claim(counter, request_id)
        queue.decide(counter, request_id, Action.APPROVE)
    documents.issue(operator, early)  # on the day it arrived
    after_due = dt.datetime.combine(due + dt.timedelta(days=2), dt.time(9), WIB)
    clock.now = after_due.astimezone(dt.UTC)
    documents.issue(operator, late)  # two days after its due date
    queue.decide(counter, late, Action.FINISH)  # collected at once
    clock.now += dt.timedelta(days=19)
    queue.decide(counter, early, Action.FINISH)  # collected three weeks later
    day = RECEIVED.astimezone(WIB).date()
    data = Recaps(ctx).recap_data(users["kasi.dinas"], day, day, None)
    figures = data.services.total
    assert (figures.completed, figures.on_time) == (2, 1)
    assert figures.on_time_pct == 0.5


def test_without_the_register_the_figures_are_the_same(
    seeded: DeskContext, users, tmp_path: Path
) -> None:
    """``register=False``: no register sheet (or PDF attachment), every other sheet as with it."""
    whole, figures_only = tmp_path / "lengkap.xlsx", tmp_path / "angka.xlsx"
    build(seeded, users["kasi.dinas"], whole)
    seen: list[tuple[int, int]] = []
    result = build(
        seeded,
        users["kasi.dinas"],
        figures_only,
        register=False,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert result.rows == 0 and result.received == len(period_requests(seeded)) > 0
    assert not seen, "no register rows to report"
    full, short = load_workbook(whole), load_workbook(figures_only)
    assert "Register" in full.sheetnames and "Register" not in short.sheetnames
    assert short.sheetnames == [name for name in full.sheetnames if name != "Register"]
    for name in short.sheetnames:
        assert [r for r in short[name].iter_rows(values_only=True)] == [
            r for r in full[name].iter_rows(values_only=True)
        ], name
    with seeded.sessions() as s:
        entry = s.scalars(
            select(AuditLog).where(AuditLog.action == "export_recap").order_by(AuditLog.id.desc())
        ).first()
    assert entry is not None and entry.after and '"register": false' in entry.after
    pdf_whole, pdf_short = tmp_path / "lengkap.pdf", tmp_path / "angka.pdf"
    build(seeded, users["kasi.dinas"], pdf_whole)
    build(seeded, users["kasi.dinas"], pdf_short, register=False)
    pages = [p.read_bytes().count(b"/Type /Page\n") for p in (pdf_whole, pdf_short)]
    assert pages[1] < pages[0]
    assert b"register permohonan" not in _pdf_text(pdf_short)
    assert b"register permohonan" in _pdf_text(pdf_whole)


def _pdf_text(path: Path) -> bytes:
    """The PDF's text, lower case."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path)
    try:
        text = "".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()
    return text.lower().encode()


def test_cli_recap_without_the_register(seeded: DeskContext, tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    out_file = tmp_path / "cli.xlsx"
    period = ["--from", "2026-10-19", "--to", "2026-11-02"]
    args = parser.parse_args(["recap", *period, "--no-register", "-o", str(out_file)])
    assert parser.parse_args(["recap", *period, "-o", "x.xlsx"]).register is True
    args.actor = UserOps(seeded).actor("kasi.dinas")
    out = io.StringIO()
    assert args.handler(args, seeded, out) == 0
    received = len(period_requests(seeded))
    assert f"({received} permohonan," in out.getvalue()
    assert "Register" not in load_workbook(out_file).sheetnames
