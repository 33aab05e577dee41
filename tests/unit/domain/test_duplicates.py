"""Which open request a new one may duplicate (``domain.duplicates``)."""

from __future__ import annotations

from disdukcapil_desk.domain.duplicates import Parties, find_duplicates, looked_up_niks

KTP = "ktp_el"
NIK_A = "3604011203870001"
NIK_B = "3604015507900002"


def request(
    id_: int, service: str = KTP, nik: str = NIK_A, subject_nik: str = "", subject_name: str = ""
) -> Parties:
    return Parties(id_, f"N-{id_}", service, nik, subject_nik, subject_name)


def test_the_same_subject_of_the_same_service_is_a_duplicate_of_the_oldest_open_one() -> None:
    older = [request(9, subject_nik=NIK_B), request(4, subject_nik=NIK_B)]
    new = [request(20, subject_nik=NIK_B)]

    assert find_duplicates(older, new) == {20: (4, "N-4")}


def test_another_service_or_another_subject_is_not_a_duplicate() -> None:
    older = [request(4, service="kia", subject_nik=NIK_B), request(5, subject_nik=NIK_A)]
    new = [request(20, subject_nik=NIK_B)]

    assert find_duplicates(older, new) == {}


def test_without_a_subject_nik_the_applicant_and_the_subjects_name_decide() -> None:
    older = [
        request(4, service="akta_lahir", subject_name="Siti Aminah"),
        request(5, service="akta_lahir", nik=NIK_B, subject_name="Siti Aminah"),
    ]
    new = [
        request(20, service="akta_lahir", subject_name="SITI AMINAH"),
        request(21, service="akta_lahir", subject_name="Budi"),
    ]

    assert find_duplicates(older, new) == {20: (4, "N-4")}


def test_an_older_request_naming_its_subjects_nik_matches_by_applicant_and_name() -> None:
    older = [request(4, service="akta_lahir", subject_nik=NIK_B, subject_name="Siti Aminah")]
    new = [request(20, service="akta_lahir", subject_name="siti aminah")]

    assert find_duplicates(older, new) == {20: (4, "N-4")}


def test_a_request_names_nobody_to_compare_without_nik_or_name() -> None:
    older = [request(4, nik="", subject_name="Siti"), request(5, subject_name="")]
    new = [request(20, nik="", subject_name="Siti"), request(21, subject_name="")]

    assert find_duplicates(older, new) == {}
    assert looked_up_niks(new) == (set(), set())


def test_within_a_batch_a_later_request_duplicates_the_first_before_it() -> None:
    new = [
        request(20, subject_nik=NIK_B),
        request(21, subject_nik=NIK_A),
        request(22, subject_nik=NIK_B),
        request(23, subject_nik=NIK_B),
    ]

    assert find_duplicates([], new) == {22: (20, "N-20"), 23: (20, "N-20")}


def test_an_older_open_request_comes_before_the_batchs_own() -> None:
    new = [request(20, subject_nik=NIK_B), request(21, subject_nik=NIK_B)]

    found = find_duplicates([request(3, subject_nik=NIK_B)], new)

    assert found == {20: (3, "N-3"), 21: (3, "N-3")}


def test_what_to_read_is_the_subjects_nik_else_the_applicants() -> None:
    new = [
        request(20, nik=NIK_A, subject_nik=NIK_B),
        request(21, nik=NIK_B, subject_name="Budi"),
        request(22, nik=NIK_A),
    ]

    assert looked_up_niks(new) == ({NIK_B}, {NIK_B})
