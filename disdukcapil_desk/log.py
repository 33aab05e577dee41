"""Logging setup: a rotating file in the user log folder, warnings to stderr (infrastructure)."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_FILE_NAME = "disdukcapil-desk.log"
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def setup_logging(log_dir: Path, *, verbose: bool = False) -> Path:
    """Send log records to ``log_dir/disdukcapil-desk.log`` (rotated at 2 MB, 5 kept).

    With ``verbose``, records also go to the console, at debug level.

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
    root.addHandler(file_handler)
    if verbose:
        # Without --verbose the console only gets the one-line messages of the commands;
        # tracebacks belong in the file.
        console = logging.StreamHandler()
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(console)
    return path
