"""The print preview: pages rendered as it opens, print to a printer, save a copy."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from disdukcapil_desk.domain.dto import SYSTEM_ACTOR, Actor
from disdukcapil_desk.operations.context import DeskContext
from disdukcapil_desk.operations.documents import DocumentOps
from disdukcapil_desk.ui.dialogs.document_preview import DocumentPreviewDialog
from disdukcapil_desk.ui.main_window import MainWindow
from disdukcapil_desk.ui.printing import prepare_printer, print_pdf
from disdukcapil_desk.ui.workstation import WorkstationSettings
from tests.integration.test_documents import approved
from tests.integration.test_intake import ingest_rows, request_of, sample_row
from tests.ui.conftest import OpenWindow
from tests.ui.test_document_actions import select

SLIP = (80 * mm, 200 * mm)


def sample_pdf(pages: int, size: tuple[float, float] = A4) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size)
    for page in range(pages):
        canvas.setFont("Helvetica-Bold", 28)
        canvas.drawString(20 * mm, size[1] - 40 * mm, f"Halaman {page + 1}")
        canvas.rect(10 * mm, 10 * mm, size[0] - 20 * mm, size[1] - 20 * mm)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def pdf_printer(path: Path, pdf: bytes) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(150)
    prepare_printer(printer, pdf)
    return printer


def pages_of(path: Path) -> list[tuple[float, float]]:
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        return [document[i].get_size() for i in range(len(document))]
    finally:
        document.close()


@pytest.mark.parametrize("size", [A4, SLIP], ids=["a4", "slip-80mm"])
def test_print_pdf_prints_every_page_on_paper_of_the_documents_size(
    qapp: object, tmp_path: Path, size: tuple[float, float]
) -> None:
    pdf = sample_pdf(3, size)
    target = tmp_path / "cetak.pdf"
    seen: list[tuple[int, int]] = []
    assert print_pdf(pdf_printer(target, pdf), pdf, lambda d, t: seen.append((d, t))) == 3
    assert seen == [(1, 3), (2, 3), (3, 3)]
    printed = pages_of(target)
    assert len(printed) == 3
    for width, height in printed:
        assert width == pytest.approx(size[0], abs=2) and height == pytest.approx(size[1], abs=2)
    # the page is drawn, not blank: the rendered output has dark pixels
    document = pdfium.PdfDocument(target.read_bytes())
    image = document[0].render(scale=0.5).to_pil().convert("L")
    document.close()
    assert image.getextrema()[0] < 80


def test_print_pdf_stops_when_cancelled(qapp: object, tmp_path: Path) -> None:
    pdf = sample_pdf(5)
    target = tmp_path / "batal.pdf"
    done: list[int] = []
    printed = print_pdf(
        pdf_printer(target, pdf), pdf, lambda d, _t: done.append(d), lambda: len(done) >= 2
    )
    assert printed == 2


def test_preview_renders_pages_prints_and_saves(qtbot: QtBot, tmp_path: Path) -> None:
    pdf = sample_pdf(9)
    source = tmp_path / "batch.pdf"
    source.write_bytes(pdf)
    jobs: list[tuple[QPrinter, bytes]] = []
    dialog = DocumentPreviewDialog(
        "siap-cetak-DINAS", pdf, source, lambda p, b: jobs.append((p, b))
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.page_count == 9 and "9 halaman" in dialog.summary.text()
    qtbot.waitUntil(lambda: dialog.pages_shown == 9)
    printer = pdf_printer(tmp_path / "p.pdf", pdf)
    dialog.choose_printer = lambda: printer  # type: ignore[method-assign]
    dialog.print_button.click()
    assert jobs == [(printer, pdf)]
    dialog.choose_printer = lambda: None  # type: ignore[method-assign]
    dialog.print_button.click()
    assert len(jobs) == 1, "a cancelled print dialog prints nothing"
    copy = tmp_path / "salinan.pdf"
    dialog.choose_save_path = lambda: copy  # type: ignore[method-assign]
    dialog.save_button.click()
    assert copy.read_bytes() == pdf and "Disimpan" in dialog.summary.text()


def test_receipt_preview_prints_through_the_window(
    open_window: OpenWindow,
    ctx: DeskContext,
    users: dict[str, Actor],
    settings: WorkstationSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.set_receipt_profile("slip")
    ingest_rows(ctx, sample_row("wa-1002"))
    number = request_of(ctx, "wa-1002").number
    window = open_window(users["loket.dinas"])
    previews: list[DocumentPreviewDialog] = []
    real_preview = MainWindow.preview
    monkeypatch.setattr(
        window, "preview", lambda *a: previews.append(real_preview(window, *a)) or previews[-1]
    )
    select(window, request_of(ctx, "wa-1002").id)
    window.print_receipt()
    (dialog,) = previews
    assert dialog.path.is_file() and dialog.path.read_bytes() == dialog.pdf
    dialog.choose_printer = lambda: None  # type: ignore[method-assign]
    dialog.print_document()
    assert DocumentOps(ctx).receipt_print_count(SYSTEM_ACTOR, number) == 0, (
        "the print dialog was cancelled"
    )
    target = tmp_path / "printer.pdf"
    dialog.choose_printer = lambda: pdf_printer(target, dialog.pdf)  # type: ignore[method-assign]
    dialog.print_document()
    (size,) = pages_of(target)
    assert size[0] == pytest.approx(80 * mm, abs=2), "the slip keeps its 80 mm paper"
    assert "1 halaman dikirim ke printer" in window.statusBar().currentMessage()
    assert DocumentOps(ctx).receipt_print_count(SYSTEM_ACTOR, number) == 1, "counted once on paper"
    dialog.close()


def test_a_ready_batch_counts_as_printed_only_when_printed(
    open_window: OpenWindow,
    ctx: DeskContext,
    users: dict[str, Actor],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    operator = users["operator.dinas"]
    for request_id in approved(ctx, 2):
        DocumentOps(ctx).issue(operator, request_id)
    window = open_window(operator)
    previews: list[DocumentPreviewDialog] = []
    real_preview = MainWindow.preview
    monkeypatch.setattr(
        window, "preview", lambda *a: previews.append(real_preview(window, *a)) or previews[-1]
    )
    window.print_all_ready()
    window.print_all_ready()
    assert len(previews) == 2, "not printed yet: the batch is still waiting"
    batch = previews[-1]
    assert batch.page_count == 2
    cancelled = iter([False, True])
    monkeypatch.setattr(
        "disdukcapil_desk.ui.main_window.print_pdf",
        lambda printer, pdf, progress, is_cancelled: 1 if next(cancelled) is False else 2,
    )
    batch.choose_printer = lambda: pdf_printer(tmp_path / "x.pdf", batch.pdf)  # type: ignore[method-assign]
    batch.print_document()
    assert "Dibatalkan setelah 1 halaman" in window.statusBar().currentMessage()
    window.print_all_ready()
    assert len(previews) == 3, "a job stopped half-way counts nothing"
    previews[-1].choose_printer = batch.choose_printer  # type: ignore[method-assign]
    previews[-1].print_document()
    window.print_all_ready()
    assert len(previews) == 3 and "Tidak ada dokumen" in window.statusBar().currentMessage()
    for dialog in previews:
        dialog.close()
