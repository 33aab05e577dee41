"""Limits on what a channel may send, checked before the payload is parsed deeply.

A hostile or broken row (a megabyte of text, an array nested five thousand deep, a NUL byte)
must become a quarantined row with its reason, never an error that stops intake. The size, NUL
and nesting checks run on the raw text with a linear scan, before ``json.loads`` can recurse;
the per-string and per-container limits run on the decoded value without recursion.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from disdukcapil_desk.domain.errors import DeskError


class PayloadRefused(DeskError):
    """The payload breaks a limit; the message is the quarantine reason."""


@dataclass(frozen=True, slots=True)
class PayloadLimits:
    """The office's limits on one payload (``resources/intake/limits.json``)."""

    max_bytes: int = 65_536
    max_depth: int = 8
    max_string_length: int = 2_000
    max_items: int = 500
    """Keys of one object or elements of one array."""

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> PayloadLimits:
        """Read the limits from the reference data file; an unknown key is an error."""
        values = {key: value for key, value in data.items() if not key.startswith("_")}
        unknown = set(values) - set(cls.__slots__)
        if unknown:
            raise ValueError(f"batas payload tidak dikenal: {', '.join(sorted(unknown))}")
        for key, value in values.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"batas payload {key} harus bilangan bulat positif")
        return cls(**values)  # type: ignore[arg-type]


DEFAULT_LIMITS = PayloadLimits()


def check_text(text: str, limits: PayloadLimits) -> None:
    """Refuse a payload text that is too large, holds NUL, or nests too deep.

    Raises:
        PayloadRefused: with the reason, in Indonesian.
    """
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > limits.max_bytes:
        raise PayloadRefused(f"payload terlalu besar: {size} byte (batas {limits.max_bytes})")
    if "\x00" in text:
        raise PayloadRefused("payload berisi karakter NUL")
    if text.count("[") + text.count("{") <= limits.max_depth:
        return  # fewer opening brackets than the limit: no nesting can pass it
    depth = _nesting_depth(text)
    if depth > limits.max_depth:
        raise PayloadRefused(
            f"payload bersarang terlalu dalam: {depth} tingkat (batas {limits.max_depth})"
        )


def _nesting_depth(text: str) -> int:
    """The deepest bracket nesting of a JSON text, brackets inside strings not counted."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def check_value(value: object, limits: PayloadLimits) -> None:
    r"""Refuse a decoded payload with an over-long string, too many items, or NUL.

    ``\u0000`` escapes pass the text check and decode to NUL, so strings are checked again.

    Raises:
        PayloadRefused: with the reason and where in the payload, in Indonesian.
    """
    if _within_limits(value, limits):
        return
    stack: list[tuple[str, object]] = [("payload", value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            _check_string(where, item, limits)
        elif isinstance(item, dict):
            _check_count(where, len(item), limits)
            for key, child in item.items():
                _check_string(f"{where}: nama kolom", key, limits)
                stack.append((f"{where}.{key[:40]}", child))
        elif isinstance(item, list):
            _check_count(where, len(item), limits)
            stack.extend((f"{where}[{index}]", child) for index, child in enumerate(item))


def _within_limits(value: object, limits: PayloadLimits) -> bool:
    """Whether ``check_value`` finds nothing to refuse: the same checks without naming where,
    so a valid payload (nearly every one) costs no path texts; a refused one is walked again to
    say where.
    """
    longest, most = limits.max_string_length, limits.max_items
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if len(item) > longest or "\x00" in item:
                return False
        elif isinstance(item, dict):
            if len(item) > most:
                return False
            for key, child in item.items():
                if len(key) > longest or "\x00" in key:
                    return False
                if isinstance(child, str):
                    if len(child) > longest or "\x00" in child:
                        return False
                elif isinstance(child, (dict, list)):
                    stack.append(child)
        elif isinstance(item, list):
            if len(item) > most:
                return False
            stack.extend(item)
    return True


def _check_string(where: str, text: str, limits: PayloadLimits) -> None:
    if "\x00" in text:
        raise PayloadRefused(f"{where} berisi karakter NUL")
    if len(text) > limits.max_string_length:
        raise PayloadRefused(
            f"{where} terlalu panjang: {len(text)} karakter (batas {limits.max_string_length})"
        )


def _check_count(where: str, count: int, limits: PayloadLimits) -> None:
    if count > limits.max_items:
        raise PayloadRefused(f"{where} berisi {count} butir (batas {limits.max_items})")


def decode_limited(text: str, limits: PayloadLimits) -> object:
    """Check the text, decode it, check the value: the one safe way to read a payload."""
    check_text(text, limits)
    value = json.loads(text)
    check_value(value, limits)
    return value
