"""Numbers and dates in Indonesian words."""

from __future__ import annotations

import datetime as dt

import pytest

from disdukcapil_desk.domain.terbilang import (
    date_long,
    date_with_day,
    date_words,
    number_words,
    ordinal_words,
)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "nol"),
        (1, "satu"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (12, "dua belas"),
        (19, "sembilan belas"),
        (20, "dua puluh"),
        (28, "dua puluh delapan"),
        (100, "seratus"),
        (111, "seratus sebelas"),
        (250, "dua ratus lima puluh"),
        (1000, "seribu"),
        (1001, "seribu satu"),
        (1987, "seribu sembilan ratus delapan puluh tujuh"),
        (2026, "dua ribu dua puluh enam"),
        (11000, "sebelas ribu"),
        (100000, "seratus ribu"),
        (1_000_000, "satu juta"),
        (2_500_300, "dua juta lima ratus ribu tiga ratus"),
        (1_000_000_000, "satu miliar"),
        (3 * 10**12 + 1, "tiga triliun satu"),
        (-5, "minus lima"),
    ],
)
def test_number_words(value: int, words: str) -> None:
    assert number_words(value) == words


def test_number_words_refuses_huge_numbers() -> None:
    with pytest.raises(ValueError, match="too large"):
        number_words(10**15)


def test_ordinals() -> None:
    assert ordinal_words(1) == "kesatu"
    assert ordinal_words(3) == "ketiga"
    assert ordinal_words(12) == "kedua belas"
    with pytest.raises(ValueError, match="positive"):
        ordinal_words(0)


def test_dates_in_words_as_a_kutipan_writes_them() -> None:
    assert date_words(dt.date(2026, 11, 28)) == "dua puluh delapan November dua ribu dua puluh enam"
    assert (
        date_words(dt.date(1999, 1, 1))
        == "satu Januari seribu sembilan ratus sembilan puluh sembilan"
    )
    assert date_long(dt.date(2026, 8, 17)) == "17 Agustus 2026"
    assert date_with_day(dt.date(2026, 11, 2)) == "Senin, 2 November 2026"
