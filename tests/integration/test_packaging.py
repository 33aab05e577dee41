"""A plain (non-editable) install carries the top-level resources/ inside the package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_contains_resources_and_no_tests(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = tmp_path.glob("disdukcapil_desk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for resource in ROOT.joinpath("resources").rglob("*"):
        if resource.is_file():
            relative = resource.relative_to(ROOT / "resources").as_posix()
            assert f"disdukcapil_desk/_resources/{relative}" in names
    for init in (ROOT / "disdukcapil_desk").rglob("__init__.py"):
        package = init.relative_to(ROOT).as_posix()
        assert package in names, f"{package} is missing: list it in pyproject.toml"
    assert not any(name.startswith(("tests/", "bench/")) for name in names)
