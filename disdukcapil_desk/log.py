"""Logging setup: a rotating file in the user log folder, warnings to stderr (infrastructure)."""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from disdukcapil_desk.domain.nik import mask_number

LOG_FILE_NAME = "disdukcapil-desk.log"
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
_PERSONAL_NUMBER = re.compile(r"(?<!\d)\d{16}(?!\d)")
# PostgreSQL repeats the failing row's values in its own message (the engines already hide the
# statement's parameters): "Failing row contains (…)", "Key (nik)=(…) already exists".
_SERVER_ROW = re.compile(r"(Failing row contains |Key \([^)]*\)=)\(.*?\)(?=[ .]|$)", re.M)
_HIDDEN = "(disembunyikan)"


def redact(text: str) -> str:
    """``text`` without personal data a database error may carry: every 16-digit number (NIK,
    No. KK) masked, and the row values PostgreSQL quotes in its messages hidden.
    """
    text = _SERVER_ROW.sub(lambda m: m.group(1) + _HIDDEN, text)
    return _PERSONAL_NUMBER.sub(lambda m: mask_number(m.group()), text)


class PersonalDataFilter(logging.Filter):
    """Redacts each record (message and traceback) before a handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; always keep it."""
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def setup_logging(log_dir: Path, *, verbose: bool = False) -> Path:
    """Send log records to ``log_dir/disdukcapil-desk.log`` (rotated at 2 MB, 5 kept).

    With ``verbose``, records also go to the console, at debug level. Every record is redacted
    first (:func:`redact`): no NIK, No. KK or row of personal data reaches the file.

    Returns:
        The log file path (shown in "Tentang" and error messages).
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    root = logging.getLogger("disdukcapil_desk")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    file_handler.setFormatter(logging.Formatter(_FORMAT))
    file_handler.addFilter(PersonalDataFilter())
    root.addHandler(file_handler)
    if verbose:
        # Without --verbose the console only gets the one-line messages of the commands;
        # tracebacks belong in the file.
        console = logging.StreamHandler()
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        console.addFilter(PersonalDataFilter())
        root.addHandler(console)
    return path
