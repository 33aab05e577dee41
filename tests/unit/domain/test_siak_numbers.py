"""Numbers typed from SIAK: akta forms, a newborn's NIK and a new KK number under the NIK/KK
rules, masking in logs, the office's choices, and what the follow-up panel allows."""

from __future__ import annotations

import datetime as dt

import pytest

from disdukcapil_desk.domain.catalogue import NumberSeries
from disdukcapil_desk.domain.delivery import OutputKind, SiakNumberError, SiakNumberKind, TteSource
from disdukcapil_desk.domain.siak import (
    FollowUp,
    SignedPdf,
    certificate_number_kind,
    check_number,
    desk_number_series,
    masked,
    numbers_for_message,
    tte_source_key,
    tte_sources,
)
from disdukcapil_desk.domain.workflow import Status
from tests.unit.domain.test_nik import make_rules

RULES = make_rules()
AKTA, NIK, KK = SiakNumberKind.AKTA, SiakNumberKind.NIK, SiakNumberKind.KK


def test_a_modern_akta_number_passes_without_warning() -> None:
    number = check_number(RULES, AKTA, " 3604-lu-02112026-0001 ")
    assert number.value == "3604-LU-02112026-0001" and number.warnings == ()


@pytest.mark.parametrize("legacy", ["3205.LT.0412013-0168", "AL. 705.123456", "474.1/123/2009"])
def test_legacy_akta_forms_pass_with_a_warning(legacy: str) -> None:
    number = check_number(RULES, AKTA, legacy)
    assert number.warnings and "nomor lama" in number.warnings[0]


def test_another_regency_code_is_a_warning() -> None:
    number = check_number(RULES, AKTA, "3507-LT-02022015-0190")
    assert any("3507" in w for w in number.warnings)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("3604-LU-31022026-0001", "tanggal 31-02-2026"),
        ("", "belum diisi"),
        ("!!", "tidak dikenali"),
    ],
)
def test_impossible_akta_numbers_are_refused(raw: str, words: str) -> None:
    with pytest.raises(SiakNumberError, match=words):
        check_number(RULES, AKTA, raw)


def test_a_newborns_nik_follows_the_nik_rules() -> None:
    assert check_number(RULES, NIK, "3604 1515 1025 0001").value == "3604151510250001"
    with pytest.raises(SiakNumberError, match="NIK baru"):
        check_number(RULES, NIK, "3604153210250001")  # the 32nd of October
    with pytest.raises(SiakNumberError, match="16 angka"):
        check_number(RULES, NIK, "36041510250")
    with pytest.raises(SiakNumberError, match="NIK baru"):
        check_number(RULES, NIK, "9904151510250001")  # no such province


def test_a_new_kk_number_follows_the_kk_rules() -> None:
    assert check_number(RULES, KK, "3604011511250003").value == "3604011511250003"
    with pytest.raises(SiakNumberError, match="Nomor KK baru"):
        check_number(RULES, KK, "3604011511250000")  # serial 0000


def test_nik_and_kk_are_masked_in_logs_but_an_akta_number_is_not() -> None:
    assert masked(NIK, "3604151025000001") == "3604********0001"
    assert masked(KK, "3604011511250003") == "3604********0003"
    assert masked(AKTA, "3604-LU-02112026-0001") == "3604-LU-02112026-0001"


def test_the_message_names_every_number() -> None:
    text = numbers_for_message([(AKTA, "3604-LU-02112026-0001"), (NIK, "3604151025000001")])
    assert text == (
        "\n\nNomor akta (registrasi SIAK): 3604-LU-02112026-0001\nNIK baru: 3604151025000001"
    )
    assert numbers_for_message([]) == ""


def test_office_choices_default_to_siak() -> None:
    stored = {tte_source_key("akta_kematian"): "desk", tte_source_key("kk_baru"): "rusak"}
    chosen = tte_sources(stored, ["akta_kematian", "kk_baru", "akta_kelahiran"])
    assert chosen == {
        "akta_kematian": TteSource.DESK,
        "kk_baru": TteSource.SIAK,
        "akta_kelahiran": TteSource.SIAK,
    }
    assert not desk_number_series({}) and desk_number_series({"desk_number_series": "1"})
    assert certificate_number_kind(NumberSeries.SKPWNI) is SiakNumberKind.SKPWNI
    assert certificate_number_kind(NumberSeries.AKTA) is AKTA


def _follow(status: Status, outputs: OutputKind, *, document: bool) -> FollowUp:
    at = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    pdf = SignedPdf(1, "a.pdf", "0" * 64, "Kepala Dinas", None, TteSource.SIAK, at, "x", 10)
    return FollowUp(
        1, "N", status, 1, "s", "S", outputs, (AKTA,), (), pdf if document else None,
        TteSource.SIAK, None,
    )  # fmt: skip


def test_the_panel_allows_each_step_in_its_status() -> None:
    approved = _follow(Status.APPROVED, OutputKind.DOCUMENT, document=False)
    assert approved.can_record and approved.can_attach and not approved.can_send
    issued = _follow(Status.ISSUED, OutputKind.DOCUMENT, document=True)
    assert not issued.can_record and issued.can_attach and issued.can_send
    card = _follow(Status.ISSUED, OutputKind.CARD, document=False)
    assert not card.can_attach and not card.can_send
    sent = _follow(Status.SENT, OutputKind.DOCUMENT, document=True)
    assert not (sent.can_record or sent.can_attach or sent.can_send)
