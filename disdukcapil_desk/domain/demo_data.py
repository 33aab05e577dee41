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
