"""Fixtures for the domain tests: the project's own files under resources/."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from disdukcapil_desk.domain.catalogue import Catalogue, load_catalogue
from disdukcapil_desk.domain.sla import HolidayCalendar, load_holidays
from disdukcapil_desk.domain.wilayah import RegionCodes, Wilayah, load_region_codes, load_wilayah

RESOURCES = Path(__file__).resolve().parents[3] / "resources"
CATALOGUE_FILE = RESOURCES / "catalogue" / "services.json"
WILAYAH_FILE = RESOURCES / "wilayah" / "wilayah_3604.json"
REGENCIES_FILE = RESOURCES / "wilayah" / "regencies.json"
HOLIDAYS_FILE = RESOURCES / "holidays.json"

_RAW: dict[Path, Any] = {}


def _raw_json(path: Path) -> Any:
    """Return a fresh deep copy of a resource file's JSON, safe to mutate in a test."""
    if path not in _RAW:
        _RAW[path] = json.loads(path.read_text(encoding="utf-8"))
    return copy.deepcopy(_RAW[path])


@pytest.fixture(scope="session")
def resources_dir() -> Path:
    """The top-level ``resources/`` folder of the repository."""
    return RESOURCES


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The real service catalogue."""
    return load_catalogue(CATALOGUE_FILE)


@pytest.fixture
def catalogue_data() -> Any:
    """The real catalogue as decoded JSON (a fresh copy per test)."""
    return _raw_json(CATALOGUE_FILE)


@pytest.fixture(scope="session")
def wilayah() -> Wilayah:
    """The real kecamatan/desa data of Kabupaten Serang."""
    return load_wilayah(WILAYAH_FILE)


@pytest.fixture(scope="session")
def region_codes() -> RegionCodes:
    """The real province/regency code list."""
    return load_region_codes(REGENCIES_FILE)


@pytest.fixture(scope="session")
def holiday_calendar() -> HolidayCalendar:
    """The real holiday calendar (2024-2027)."""
    return load_holidays(HOLIDAYS_FILE)


@pytest.fixture
def wilayah_data() -> Any:
    """The real wilayah file as decoded JSON (a fresh copy per test)."""
    return _raw_json(WILAYAH_FILE)


@pytest.fixture
def regencies_data() -> Any:
    """The real regency code file as decoded JSON (a fresh copy per test)."""
    return _raw_json(REGENCIES_FILE)
