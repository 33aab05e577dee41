"""Benchmark of the desk's documents: ms per receipt and certificate, pages/s for 1,000.

Run: ``python -m bench.documents_bench [--samples docs/samples]``. Beside each figure it draws
the same page with bare ReportLab calls (same fonts, same text, ReportLab's QR widget) in the
same run, and prints the ratio. With ``--samples`` it also writes the sample PDFs (every
certificate template, receipts of a request in progress, of a death report and of a rejected
request, a signed certificate) and, when poppler's ``pdftoppm`` is installed, a PNG of each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import replace
from io import BytesIO
from pathlib import Path

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from disdukcapil_desk.domain.documents import (
    CertificateData,
    CertificateLine,
    ChecklistItem,
    DocumentKind,
    DocumentSeal,
    Letterhead,
    ReceiptData,
    Signer,
    fill_lines,
    key_id,
    load_templates,
    public_key_pem,
    seal,
    signing_key,
    verification_code,
)
from disdukcapil_desk.operations.documents import verify_offline
from disdukcapil_desk.paths import resource_path
from disdukcapil_desk.reports.certificate import render_batch, render_certificate
from disdukcapil_desk.reports.receipt import receipt_rows, render_receipt
from disdukcapil_desk.reports.signing import load_identity, self_signed_pkcs12, sign_pdf
from disdukcapil_desk.reports.styles import SANS, SANS_BOLD, ensure_fonts

HEAD = Letterhead(
    "PEMERINTAH KABUPATEN SERANG",
    "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL",
    "UPT Disdukcapil Kecamatan Cikande",
    "Jl. Raya Cikande No. 1, Serang",
    "(0254) 123456",
)
AT = dt.datetime(2026, 11, 2, 2, 11, tzinfo=dt.UTC)
SAMPLE_KEY = signing_key(bytes(range(32)))
"""A fixed office key, so that the samples' QR codes carry a real-length signature."""


def sample_verification(kind: DocumentKind, number: str, fields: dict[str, str]) -> DocumentSeal:
    """The verification block of a sample: a real Ed25519 code over ``fields``."""
    code = verification_code(SAMPLE_KEY, kind, number, fields)
    return DocumentSeal(kind, number, code, fields, key_id(SAMPLE_KEY.public_key()))


def receipt() -> ReceiptData:
    """A typical receipt."""
    number = "UPT-05/20261102/0007"
    return ReceiptData(
        HEAD,
        number,
        AT,
        "WhatsApp",
        "Penerbitan Akta Kelahiran",
        "Dewi Lestari",
        "3604********0009",
        "3604********0007",
        "Cikande Permai",
        "Cikande",
        (
            ChecklistItem("Surat keterangan lahir dari dokter/bidan/penolong kelahiran", "Sesuai"),
            ChecklistItem("Kartu Keluarga", "Sesuai"),
            ChecklistItem("Buku nikah / akta perkawinan orang tua", "Belum diperiksa", False),
            ChecklistItem("KTP-el dua orang saksi", "Tidak terbaca"),
        ),
        "Diperiksa",
        dt.date(2026, 11, 5),
        "Diambil di UPT Disdukcapil Kecamatan Cikande dengan menunjukkan tanda terima ini",
        "Siti Aminah",
        "198703122010012003",
        "Serang",
        AT,
        "0811-1234-5678",
        sample_verification(DocumentKind.RECEIPT, number, {"s": "akta_kelahiran"}),
    )


def death_receipt() -> ReceiptData:
    """The receipt of a death report: the pelapor applies, the deceased is whom it is about."""
    number = "DINAS/20261102/0012"
    return replace(
        receipt(),
        letterhead=Letterhead(HEAD.government, HEAD.agency, "", "Jl. Veteran No. 1, Serang"),
        number=number,
        service_name="Pencatatan Kematian / Penerbitan Kutipan Akta Kematian",
        applicant_name="Rahmat Hidayat",
        applicant_label="Pelapor",
        nik_masked="3604********0001",
        subject_name="H. Sukarta",
        subject_label="Yang meninggal dunia",
        subject_nik_masked="3604********0003",
        checklist=(
            ChecklistItem("Formulir F-2.01 (pelaporan pencatatan sipil)", "Sesuai"),
            ChecklistItem("Fotokopi surat kematian dari dokter atau kepala desa/lurah", "Sesuai"),
            ChecklistItem("Fotokopi KK/KTP-el yang meninggal dunia", "Sesuai"),
        ),
        status="Disetujui",
        delivery="Diambil di Dinas Kependudukan dan Pencatatan Sipil Kabupaten Serang "
        "dengan menunjukkan tanda terima ini",
        verification=sample_verification(DocumentKind.RECEIPT, number, {"s": "akta_kematian"}),
    )


def rejected_receipt() -> ReceiptData:
    """The receipt of a rejected request: no completion date, nothing to collect."""
    return replace(receipt(), status="Ditolak", due_date=None, delivery="")


SAMPLE_VALUES = {
    "akta_kelahiran": {
        "anak_nama": "Putri Ayu Lestari",
        "anak_jenis_kelamin": "P",
        "anak_tanggal_lahir": "2026-10-20",
        "anak_tempat_lahir": "Serang",
        "anak_ke": "2",
        "ayah_nama": "Budi Santoso",
        "ibu_nama": "Dewi Lestari",
        "anak_nik": "3604156010260001",
    },
    "akta_pengakuan_anak": {
        "anak_nama": "Rafi Pratama",
        "anak_nik": "3604150101150012",
        "no_akta_kelahiran_anak": "3604-LU-05012015-0007",
        "ayah_nik": "3604150505850001",
        "ayah_nama": "Budi Santoso",
        "ibu_nama": "Dewi Lestari",
        "tanggal_surat_pengakuan": "2026-10-26",
    },
    "akta_pengesahan_anak": {
        "anak_nama": "Rafi Pratama",
        "anak_nik": "3604150101150012",
        "no_akta_kelahiran_anak": "3604-LU-05012015-0007",
        "ayah_nama": "Budi Santoso",
        "ibu_nama": "Dewi Lestari",
        "no_akta_perkawinan_orang_tua": "3604-KW-12092026-0004",
        "tanggal_perkawinan_orang_tua": "2026-10-12",
    },
    "akta_kematian": {
        "nik": "3604151203500003",
        "nama": "H. Sukarta",
        "jenis_kelamin": "L",
        "tanggal_kematian": "2026-10-30",
        "tempat_kematian": "RSUD dr. Dradjat Prawiranegara",
        "tempat_lahir": "Serang",
        "tanggal_lahir": "1950-03-12",
    },
    "akta_perkawinan": {
        "suami_nama": "Rizki Maulana",
        "suami_nik": "3604150505950001",
        "istri_nama": "Nur Aisyah",
        "istri_nik": "3604154707970002",
        "tanggal_perkawinan": "2026-09-12",
        "tempat_perkawinan": "Gereja Santo Mikael, Serang",
        "agama_perkawinan": "Katolik",
        "nama_pemuka_agama": "Rm. Yohanes Setiawan",
    },
    "akta_perceraian": {
        "nama_pengadilan": "Pengadilan Negeri Serang",
        "nomor_putusan": "123/Pdt.G/2026/PN Srg",
        "tanggal_putusan": "2026-08-04",
        "suami_nama": "Andi Pratama",
        "istri_nama": "Sri Wahyuni",
        "no_akta_perkawinan": "3604-KW-14022015-0031",
        "tanggal_perkawinan": "2015-02-14",
    },
    "pindah_keluar_skpwni": {
        "no_kk": "3604151203180007",
        "nama": "Dewi Lestari",
        "nik": "3604156107950009",
        "alamat": "Kp. Cikande Permai",
        "rt": "001",
        "rw": "004",
        "_desa": "Cikande Permai",
        "_kecamatan": "Cikande",
        "_kabupaten": "Kabupaten Serang",
        "alasan_pindah": "pekerjaan",
        "alamat_tujuan": "Jl. Merdeka No. 10",
        "rt_tujuan": "002",
        "rw_tujuan": "005",
        "desa_tujuan": "Sukasari",
        "kecamatan_tujuan": "Sukasari",
        "kabupaten_kota_tujuan": "Kota Bandung",
        "provinsi_tujuan": "Jawa Barat",
        "klasifikasi_pindah": "antar_provinsi",
        "jenis_kepindahan": "kepala_dan_seluruh_anggota",
        "jumlah_anggota_pindah": "3",
        "nik_anggota_pindah": "3604156107950009, 3604150203150011, 3604154508180012",
        "status_kk_tidak_pindah": "no_kk_tetap",
        "tanggal_rencana_pindah": "2026-12-01",
    },
}
NUMBERS = {
    "akta_kelahiran": "3604-LU-02112026-0001",
    "akta_kematian": "3604-KM-02112026-0001",
    "akta_perkawinan": "3604-KW-02112026-0001",
    "akta_perceraian": "3604-CR-02112026-0001",
    "akta_pengakuan_anak": "3604-PA-02112026-0001",
    "akta_pengesahan_anak": "3604-PS-02112026-0001",
    "pindah_keluar_skpwni": "SKPWNI/3604/02112026/0001",
}


def certificate(service: str = "akta_kelahiran") -> CertificateData:
    """A sample certificate of ``service`` (draft: no signing certificate configured)."""
    template = load_templates(resource_path("templates/certificates.json"))[service]
    values = SAMPLE_VALUES[service]
    head = service == "pindah_keluar_skpwni"
    return CertificateData(
        template.code,
        template.title,
        template.title_en,
        fill_lines(template.header, values),
        template.number_phrase,
        template.number_phrase_en,
        NUMBERS[service],
        fill_lines(template.lines, values),
        "Serang",
        dt.date(2026, 11, 2),
        Signer(
            "Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Serang"
            if head
            else "Pejabat Pencatatan Sipil Kabupaten Serang",
            "Head of the Population and Civil Registration Agency" if head else "Registrar",
            "Drs. H. Ahmad Fauzi, M.Si.",
            "197005121995031002",
        ),
        "Kabupaten Serang",
        sample_verification(DocumentKind.CERTIFICATE, NUMBERS[service], {}),
        show_nationality=template.show_nationality,
        letterhead=Letterhead(HEAD.government, HEAD.agency, "", HEAD.address) if head else None,
        created_at=AT,
    )


def bare_receipt(canvas: Canvas, data: ReceiptData) -> None:
    """The same receipt page drawn with plain ReportLab calls and its QR widget."""
    width, height = A4
    canvas.setFont(SANS_BOLD, 13)
    for i, text in enumerate((data.letterhead.government, data.letterhead.agency, "TANDA TERIMA")):
        canvas.drawCentredString(width / 2, height - 50 - 16 * i, text)
    y = height - 140
    for label, value in receipt_rows(data):
        canvas.setFont(SANS, 9.5)
        canvas.drawString(57, y, f"{label}: {value}")
        y -= 13
    for item in data.checklist:
        canvas.drawString(57, y, f"{item.label} — {item.state}")
        canvas.line(57, y - 4, width - 57, y - 4)
        y -= 15
    widget = QrCodeWidget(data.verification.qr_text)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(96, 96, transform=[96 / (x1 - x0), 0, 0, 96 / (y1 - y0), 0, 0])
    drawing.add(widget)
    drawing.drawOn(canvas, width - 150, height - 230)


def bare_certificate(canvas: Canvas, data: CertificateData) -> None:
    """The same certificate page drawn with plain ReportLab calls and its QR widget."""
    width, height = A4
    y = height - 80
    for text in ("REPUBLIK INDONESIA", "PENCATATAN SIPIL", data.title, data.title_en):
        canvas.setFont(SANS_BOLD, 13)
        canvas.drawCentredString(width / 2, y, text)
        y -= 20
    for line in (CertificateLine(data.number_phrase, "", data.number), *data.lines):
        canvas.setFont(SANS, 11)
        canvas.drawString(62, y, line.label)
        canvas.drawString(260, y, line.value)
        y -= 22
    widget = QrCodeWidget(data.verification.qr_text)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(85, 85, transform=[85 / (x1 - x0), 0, 0, 85 / (y1 - y0), 0, 0])
    drawing.add(widget)
    drawing.drawOn(canvas, 62, 120)


def bare_file(draw: Callable[[Canvas], None], pages: int = 1) -> bytes:
    """Draw ``pages`` pages with ``draw`` into one PDF and return it."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    for _ in range(pages):
        draw(canvas)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def per_call(work: Callable[[], object], repeat: int) -> float:
    """Return the mean milliseconds of ``work`` over ``repeat`` calls (after one warm-up)."""
    work()
    start = time.perf_counter()
    for _ in range(repeat):
        work()
    return (time.perf_counter() - start) * 1000 / repeat


def write_samples(folder: Path) -> None:
    """Write one sample PDF of each document into ``folder`` (a certificate of every
    template), and a PNG of each first page when ``pdftoppm`` is installed.
    """
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "tanda-terima-a4.pdf": render_receipt(receipt()),
        "tanda-terima-slip-80mm.pdf": render_receipt(receipt(), slip=True),
        "tanda-terima-kematian.pdf": render_receipt(death_receipt()),
        "tanda-terima-ditolak.pdf": render_receipt(rejected_receipt()),
    }
    services = {
        s
        for t in load_templates(resource_path("templates/certificates.json")).values()
        for s in t.services
    }
    missing = services - set(SAMPLE_VALUES)
    if missing:
        raise SystemExit(f"no sample values for {', '.join(sorted(missing))}")
    for service in sorted(services):
        files[f"{service}.pdf"] = render_certificate(certificate(service))
    identity = load_identity(*_trial_certificate())
    final = replace(certificate(), draft=False)
    sealed = seal(render_certificate(final), SAMPLE_KEY, identity.cert_sha256)
    files["akta_kelahiran-ditandatangani.pdf"] = sign_pdf(
        sealed, identity, reason="contoh", location="Serang"
    )
    for name, pdf in files.items():
        (folder / name).write_bytes(pdf)
        _png(folder / name)


def _png(pdf: Path) -> None:
    """A 60 dpi PNG of the first page beside the PDF (nothing without poppler)."""
    tool = shutil.which("pdftoppm")
    if tool is not None:
        target = pdf.with_suffix("")
        subprocess.run([tool, "-png", "-r", "60", "-singlefile", str(pdf), str(target)], check=True)


def _trial_certificate() -> tuple[bytes, str]:
    pkcs12, _ = self_signed_pkcs12(
        "Pejabat Pencatatan Sipil Kabupaten Serang",
        "contoh",
        not_after=dt.datetime(2040, 1, 1, tzinfo=dt.UTC),
    )
    return pkcs12, "contoh"


def signing_rows() -> list[tuple[str, float, float]]:
    """Seal, PAdES signature and offline verification of one certificate (ms each).

    The "bare" column is the same work with the libraries called directly (cryptography's
    Ed25519 over the file; pyHanko's sign and validate).
    """
    pdf = render_certificate(replace(certificate(), draft=False))
    identity = load_identity(*_trial_certificate())
    signed = sign_pdf(
        seal(pdf, SAMPLE_KEY, identity.cert_sha256), identity, reason="bench", location="Serang"
    )
    public = public_key_pem(SAMPLE_KEY)
    return [
        (
            "seal (Ed25519) (ms)",
            per_call(lambda: seal(pdf, SAMPLE_KEY), 200),
            per_call(lambda: SAMPLE_KEY.sign(pdf), 200),
        ),
        (
            "PAdES signature (ms)",
            per_call(lambda: sign_pdf(pdf, identity, reason="bench", location="Serang"), 20),
            per_call(lambda: bare_sign(pdf, identity.signer), 20),
        ),
        (
            "verify offline, signed (ms)",
            per_call(lambda: verify_offline(signed, public, None), 20),
            per_call(lambda: bare_validate(signed), 20),
        ),
    ]


def bare_sign(pdf: bytes, signer: object) -> bytes:
    """PyHanko's own signing call, nothing of the desk around it."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    meta = signers.PdfSignatureMetadata(field_name="Sig", md_algorithm="sha256")
    out = signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), meta, signer=signer)
    return bytes(out.getvalue())


def bare_validate(pdf: bytes) -> bool:
    """PyHanko's own validation call (no trust roots)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    signature = PdfFileReader(BytesIO(pdf)).embedded_signatures[0]
    return bool(validate_pdf_signature(signature, ValidationContext(trust_roots=[])).intact)


def main() -> None:
    """Print the figures (and write the samples when asked)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=Path, help="write the sample PDFs here")
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    ensure_fonts()
    rec, cert = receipt(), certificate()
    rows = [
        (
            "receipt A4 (ms)",
            per_call(lambda: render_receipt(rec), 200),
            per_call(lambda: bare_file(lambda c: bare_receipt(c, rec)), 200),
        ),
        (
            "certificate (ms)",
            per_call(lambda: render_certificate(cert), 200),
            per_call(lambda: bare_file(lambda c: bare_certificate(c, cert)), 200),
        ),
    ]
    rows += signing_rows()
    start = time.perf_counter()
    render_batch([cert] * args.batch)
    desk_rate = args.batch / (time.perf_counter() - start)
    start = time.perf_counter()
    bare_file(lambda c: bare_certificate(c, cert), args.batch)
    bare_rate = args.batch / (time.perf_counter() - start)
    print(f"{'':28} {'desk':>10} {'bare RL':>10} {'ratio':>7}")
    for name, desk, bare in rows:
        print(f"{name:28} {desk:10.2f} {bare:10.2f} {desk / bare:7.2f}")
    print(
        f"{f'batch of {args.batch} (pages/s)':28} {desk_rate:10.0f} {bare_rate:10.0f} "
        f"{bare_rate / desk_rate:7.2f}"
    )
    if args.samples:
        write_samples(args.samples)


if __name__ == "__main__":
    main()
