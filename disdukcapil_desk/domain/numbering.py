"""Formats of the numbers the desk hands out (domain layer)."""

from __future__ import annotations

import datetime as dt
import re

REQUEST_COUNTER = "request"
_REQUEST_NUMBER = re.compile(r"^[A-Z0-9-]{2,20}/\d{8}/\d{4,6}$")


def request_number(location_code: str, received_on: dt.date, sequence: int) -> str:
    """Return the registration number of a request, e.g. ``UPT-05/20261102/0007``.

    It is also the receipt number: per location and day, so an officer can read where and when
    a request arrived from the number alone.
    """
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    return f"{location_code}/{received_on:%Y%m%d}/{sequence:04d}"


def request_period(received_on: dt.date) -> str:
    """Return the counter period of a request number (one counter per location and day)."""
    return f"{received_on:%Y%m%d}"


def normalize_request_number(text: str) -> str:
    """A request number as stored: ``" dinas/20261102/0001 "`` becomes ``"DINAS/20261102/0001"``
    (typed, scanned, or sent back by a channel).
    """
    return text.strip().upper()


def looks_like_request_number(text: str) -> bool:
    """Whether ``text`` (as typed or scanned) has the shape of a request number."""
    return bool(_REQUEST_NUMBER.match(normalize_request_number(text)))
