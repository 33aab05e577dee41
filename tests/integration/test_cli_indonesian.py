"""The command line speaks Indonesian: argparse's own words too, in help and in errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.test_cli import desk

# argparse's English, as Python prints it (3.11 to 3.14).
ARGPARSE_ENGLISH = (
    "usage:",
    "options:",
    "optional arguments",
    "positional arguments",
    "show this help message and exit",
    "show program's version number and exit",
    "error:",
    "the following arguments are required",
    "invalid choice",
    "choose from",
    "unrecognized arguments",
    "expected one argument",
    "invalid int value",
    "subcommands",
)


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["--help"], 0),
        (["db", "--help"], 0),
        (["user", "add", "--help"], 0),
        (["perintah-salah"], 2),
        (["db"], 2),
        (["user", "add"], 2),
        (["demo", "--requests", "banyak"], 2),
        (["--tidak-ada", "db", "check"], 2),
        (["show"], 2),
    ],
)
def test_no_english_words_of_argparse(args: list[str], status: int, tmp_path: Path) -> None:
    done = desk(*args, basedir=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == status, output
    assert "penggunaan:" in output
    english = [word for word in ARGPARSE_ENGLISH if word.lower() in output.lower()]
    assert english == [], output
    if status:
        assert re.search(r"disdukcapil-desk[a-z -]*: galat: ", done.stderr), done.stderr
    else:
        assert "opsi:" in output and "tampilkan bantuan ini lalu keluar" in output
