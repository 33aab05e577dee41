"""Realistic synthetic applicants for demos and benchmarks: names, NIKs, addresses (domain layer).

Nothing here is real personal data: names are combined at random and NIK serials are random.
"""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from dataclasses import dataclass

from disdukcapil_desk.domain.wilayah import Wilayah

MALE_NAMES = (
    "Ahmad",
    "Budi",
    "Rudi",
    "Agus",
    "Dedi",
    "Hendra",
    "Iwan",
    "Joko",
    "Asep",
    "Ujang",
    "Rizky",
    "Fajar",
    "Bagas",
    "Dimas",
    "Eko",
    "Hasan",
    "Ilham",
    "Sarmadi",
    "Jajang",
    "Rohman",
    "Syarif",
    "Yusuf",
    "Aditya",
    "Arif",
    "Baihaki",
    "Mulyadi",
    "Sutisna",
    "Wahyudi",
)
FEMALE_NAMES = (
    "Siti",
    "Dewi",
    "Nurhayati",
    "Aisyah",
    "Rina",
    "Sri",
    "Ratna",
    "Euis",
    "Imas",
    "Neneng",
    "Putri",
    "Fitri",
    "Lestari",
    "Wulan",
    "Yanti",
    "Aminah",
    "Hasanah",
    "Nur",
    "Rahmawati",
    "Mariam",
    "Kartini",
    "Ika",
    "Tuti",
    "Zahra",
)
FAMILY_NAMES = (
    "Hartono",
    "Saputra",
    "Lestari",
    "Hidayat",
    "Rahman",
    "Setiawan",
    "Kurniawan",
    "Suryadi",
    "Maulana",
    "Nurdin",
    "Permana",
    "Ramdani",
    "Sulaeman",
    "Fauzi",
    "Hakim",
    "Sopian",
    "Jaelani",
    "Mulyana",
    "Priyatna",
    "Susanti",
    "Wijaya",
    "Haryati",
    "Rohayati",
)
STREETS = ("Kp.", "Perum", "Jl.", "Link.", "Komp.")
PLACES = ("Serang", "Cilegon", "Pandeglang", "Lebak", "Tangerang", "Jakarta", "Bandung")


@dataclass(frozen=True, slots=True)
class Person:
    """A synthetic resident."""

    nik: str
    name: str
    sex: str
    birth_date: dt.date
    birth_place: str
    kode_desa: str
    kecamatan_code: str


def make_nik(kecamatan_code: str, birth_date: dt.date, sex: str, serial: int) -> str:
    """Return a structurally valid NIK (women: day + 40)."""
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{kecamatan_code}{day:02d}{birth_date:%m}{birth_date:%y}{serial:04d}"


def make_no_kk(kecamatan_code: str, issued: dt.date, serial: int) -> str:
    """Return a plausible family-card number (kecamatan, issue date, serial)."""
    return f"{kecamatan_code}{issued:%d%m%y}{serial:04d}"


def random_person(
    rng: random.Random,
    wilayah: Wilayah,
    *,
    today: dt.date,
    min_age: int = 0,
    max_age: int = 80,
) -> Person:
    """Return a synthetic resident of a random desa of the kabupaten."""
    kecamatan = rng.choice(wilayah.kecamatan_list)
    desa = rng.choice(kecamatan.desa)
    sex = rng.choice("LP")
    age_days = rng.randint(min_age * 365 + 1, max_age * 365 + 300)
    birth = today - dt.timedelta(days=age_days)
    first = rng.choice(MALE_NAMES if sex == "L" else FEMALE_NAMES)
    name = f"{first} {rng.choice(FAMILY_NAMES)}"
    return Person(
        nik=make_nik(kecamatan.code, birth, sex, rng.randint(1, 9999)),
        name=name,
        sex=sex,
        birth_date=birth,
        birth_place=rng.choice(PLACES),
        kode_desa=desa.code,
        kecamatan_code=kecamatan.code,
    )


def random_phone(rng: random.Random) -> str:
    """Return an Indonesian mobile number in 08… form."""
    return (
        "08"
        + rng.choice(("12", "13", "21", "52", "57", "77", "78", "95", "96"))
        + "".join(rng.choice("0123456789") for _ in range(8))
    )


def random_address(rng: random.Random) -> str:
    """Return a short village address."""
    return f"{rng.choice(STREETS)} {rng.choice(FAMILY_NAMES)} No. {rng.randint(1, 120)}"


def document_png(rng: random.Random, width: int = 240, height: int = 160) -> bytes:
    """Return a small grey PNG that looks like a scanned document (text lines, a photo box)."""
    paper, ink, photo = 246, 70, 150
    photo_left, photo_right, photo_top, photo_bottom = width - 70, width - 20, 20, 80
    rows = []
    for y in range(height):
        row = bytearray([paper] * width)
        if y % 12 == 0 and 24 <= y < height - 16:
            end = rng.randint(100, width - 80)
            row[16:end] = bytes([ink]) * (end - 16)
        if photo_top <= y <= photo_bottom:
            row[photo_left : photo_right + 1] = bytes([photo]) * (photo_right + 1 - photo_left)
        rows.append(b"\x00" + bytes(row))
    raw = zlib.compress(b"".join(rows), 6)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"".join(
        [b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header), _chunk(b"IDAT", raw), _chunk(b"IEND", b"")]
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


# -- the rest of a form: values an applicant would type --------------------------------------

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_ELSEWHERE = (
    ("Cibeber", "Cibeber", "Kota Cilegon", "Banten"),
    ("Teluk", "Labuan", "Kabupaten Pandeglang", "Banten"),
    ("Muara Ciujung Timur", "Rangkasbitung", "Kabupaten Lebak", "Banten"),
    ("Sukabungah", "Sukajadi", "Kota Bandung", "Jawa Barat"),
    ("Karawaci", "Karawaci", "Kota Tangerang", "Banten"),
)
"""Desa, kecamatan, kabupaten/kota and province a family moves to or comes from."""
_COUNTRIES = ("Malaysia", "Arab Saudi", "Taiwan", "Hong Kong", "Singapura", "Jepang")
_CHOICES: dict[str, tuple[str, ...]] = {
    "pendidikan_terakhir": ("SD", "SMP", "SMA/SMK", "D3", "S1"),
    "pekerjaan": (
        "Wiraswasta",
        "Karyawan Swasta",
        "Petani/Pekebun",
        "Buruh Harian Lepas",
        "Mengurus Rumah Tangga",
        "Pedagang",
        "Guru",
    ),
    "elemen_data": ("pendidikan", "pekerjaan", "status kawin", "agama"),
    "uraian_perubahan": (
        "Pendidikan terakhir dari SMA/SMK menjadi S1",
        "Pekerjaan dari pelajar menjadi karyawan swasta",
        "Status kawin dari belum kawin menjadi kawin",
    ),
    "hubungan_pelapor": ("Anak", "Suami", "Istri", "Saudara kandung", "Orang tua"),
    "nama_pengadilan": ("Pengadilan Agama Serang", "Pengadilan Negeri Serang"),
    "instansi_pengusul": ("Dinas Sosial Kabupaten Serang", "Panti Sosial Bina Laras Serang"),
    "keperluan": (
        "Persyaratan melamar kerja",
        "Pendaftaran sekolah anak",
        "Pengurusan BPJS Kesehatan",
        "Persyaratan nikah",
    ),
    "lembaga_pengguna": ("BPJS Kesehatan", "Bank BRI", "Program Keluarga Harapan", "Bank BJB"),
    "uraian_masalah": (
        "NIK tidak ditemukan saat pendaftaran BPJS Kesehatan",
        "Data tanggal lahir di bank berbeda dengan KTP-el",
        "NIK tercatat ganda pada data bantuan sosial",
    ),
    "nama_instansi": ("Badan Pusat Statistik Kabupaten Serang", "Bappeda Kabupaten Serang"),
    "jabatan_pemohon": ("Kepala Seksi", "Analis Data", "Kepala Bidang"),
    "jenis_data": (
        "Jumlah penduduk per kecamatan menurut jenis kelamin",
        "Jumlah kelahiran per desa",
    ),
    "periode_data": ("Semester I 2026", "Tahun 2025"),
    "tujuan_penggunaan": ("Perencanaan pembangunan daerah", "Penyusunan publikasi statistik"),
    "kewarganegaraan": ("Malaysia", "Jepang", "Korea Selatan", "Australia"),
    "kewarganegaraan_lama": ("Malaysia", "Singapura", "Filipina"),
    "kewarganegaraan_baru": ("Malaysia", "Singapura", "Australia"),
    "negara_tujuan": _COUNTRIES,
    "negara_asal": _COUNTRIES,
    "negara_domisili": _COUNTRIES,
}
"""Text fields filled from a list."""
_AKTA_CODES = {"perkawinan": "KW", "perceraian": "CR", "kematian": "KM"}


def _akta_number(rng: random.Random, name: str, today: dt.date) -> str:
    """An akta number as the registers write it (``3604-LT-15032019-0042``)."""
    code = next((c for word, c in _AKTA_CODES.items() if word in name), "LT")
    day = today - dt.timedelta(days=rng.randint(200, 6000))
    return f"3604-{code}-{day:%d%m%Y}-{rng.randint(1, 9999):04d}"


def _reference_number(rng: random.Random, name: str, today: dt.date) -> str:
    """A letter, decision or document number in the style of its issuer."""
    n, year, month = rng.randint(1, 999), today.year - rng.randint(0, 2), _ROMAN[today.month - 1]
    numbers = {
        "nomor_putusan": f"{n}/Pdt.G/{year}/PA.Srg",
        "nomor_penetapan": f"{n}/Pdt.P/{year}/PN.Srg",
        "nomor_surat_kehilangan": f"LP/B/{n}/{month}/{year}/Sek",
        "nomor_surat_perkawinan_agama": f"{n}/KUA.28.4/PW.01/{month}/{year}",
        "nomor_keputusan": f"AHU-{n}.AH.10.01 Tahun {year}",
        "nomor_surat_perwakilan": f"{n}/KONS/{month}/{year}",
        "nomor_paspor": f"C{rng.randint(1_000_000, 9_999_999)}",
        "nomor_kitas": f"2C11JE{rng.randint(100_000, 999_999)}",
        "no_skpwni": f"SKPWNI/3672/{today:%d%m%Y}/{n:04d}",
        "no_buku_nikah": f"{n:04d}/{rng.randint(1, 99):03d}/{month}/{year}",
    }
    return numbers.get(name, f"{n}/{rng.randint(1, 99):02d}/{month}/{year}")


def text_value(
    rng: random.Random,
    name: str,
    wilayah: Wilayah,
    kecamatan_code: str,
    today: dt.date,
) -> str:
    """A realistic value of a free-text form field: a place of Kabupaten Serang for a place
    (``tempat_*``, from the wilayah), a number in its issuer's style, or a value from a list.

    Args:
        rng: the random source.
        name: the field's name in the catalogue.
        wilayah: the kabupaten's kecamatan and desa.
        kecamatan_code: the applicant's kecamatan (places are near home).
        today: the day the form was sent.
    """
    if name.startswith("tempat_") or name.endswith("_tempat_lahir"):
        kecamatan = wilayah.kecamatan(kecamatan_code) or rng.choice(wilayah.kecamatan_list)
        return rng.choice((kecamatan.name, rng.choice(kecamatan.desa).name, "Serang"))
    if name in _CHOICES:
        return rng.choice(_CHOICES[name])
    if name.startswith(("no_akta", "nomor_dokumen")):
        return _akta_number(rng, name, today)
    if name.startswith(("no_", "nomor_")):
        return _reference_number(rng, name, today)
    elsewhere = rng.choice(_ELSEWHERE)
    places = {"desa": 0, "kecamatan": 1, "kabupaten_kota": 2, "provinsi": 3}
    for prefix, index in places.items():
        if name.startswith(prefix + "_"):
            return elsewhere[index]
    if name in ("rt_tujuan", "rw_tujuan"):
        return f"{rng.randint(1, 12):03d}"
    if name == "email":
        return f"data.{rng.randint(1, 99)}@serangkab.go.id"
    return "Sesuai dokumen pendukung terlampir"
