"""The smoke test, from the source tree always and from the PyInstaller bundle on request.

The bundle test builds ``dist/disdukcapil-desk`` with ``scripts/build-bundle`` (a build venv,
then PyInstaller: about 2-3 minutes on 2 cores, the first time about 1 minute more for the
venv) and runs the smoke test from it. It runs only with ``DESK_TEST_BUNDLE=1``: in the CI
stage "bundle", not on every developer run.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from disdukcapil_desk import APP_ID, __version__
from disdukcapil_desk.paths import user_dirs
from disdukcapil_desk.smoke import run_smoke_test

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / APP_ID
SIZE_LIMIT = 142 * 1024 * 1024
"""The unpacked one-folder bundle must stay below this (Linux; ``bench/bundle_size.py`` shows
the size per package). 142 MiB before documents were signed and printed from the desk, 180 MiB
with the signing stack (cryptography 12 MiB, lxml's etree 5 MiB, pyHanko and its helpers) and
Qt's CUPS plugin with the build machine's libcups, GnuTLS and Kerberos (8 MiB). build.spec
brought it to 140 MiB: ICU's data trimmed to the desk's locales (31 -> 2.6 MB), libcups left
to the workstation, no build tools (setuptools, distutils), readline or Chinese/Korean codecs.
The 2 MiB above that are for patch releases of the dependencies."""
SMOKE_STEPS = (
    "tanda tangan digital PAdES",
    "rekap XLSX",
    "pratinjau dan cetak PDF",
    "gambar lampiran (JPEG, PNG)",
    "daftar printer",
    "urutan nama dan nama zona waktu (ICU)",
    "driver PostgreSQL",
    "metadata pembaruan bertanda tangan",
)
"""Steps that exercise what build.spec trims or excludes (pyHanko, openpyxl, PDFium, Qt's
image, print and ICU data, psycopg): each must run in the bundle."""
ICU_DATA_LIMIT = 5 * 1024 * 1024
"""libicudata after build.spec trimmed it (the whole library is 31 MB)."""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.pop("DISDUKCAPIL_DB", None)
    return env


def test_smoke_test_in_process(qapp: object, tmp_path: Path) -> None:
    out = io.StringIO()
    assert run_smoke_test(user_dirs(tmp_path).ensure(), out) == 0, out.getvalue()
    lines = out.getvalue().splitlines()
    assert lines[-1] == "OK"
    assert any("tanda terima PDF" in line for line in lines)
    for step in SMOKE_STEPS:
        assert any(step in line for line in lines), step
    assert not list((tmp_path / "cache").iterdir()), "the temporary database stays behind"


def test_smoke_test_from_source() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "disdukcapil_desk", "--smoke-test", "--temp-basedir"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "OK"


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("DESK_TEST_BUNDLE") != "1", reason="DESK_TEST_BUNDLE=1 builds the bundle"
)
def test_bundle_builds_and_passes_its_smoke_test() -> None:
    build = subprocess.run(
        [str(ROOT / "scripts" / "build-bundle"), "--no-smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=1800,
        check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    program = BUNDLE / APP_ID
    assert program.is_file()
    files = [f for f in BUNDLE.rglob("*") if f.is_symlink() or f.is_file()]
    dangling = [f for f in files if f.is_symlink() and not f.exists()]
    assert not dangling, f"links to filtered-out files: {dangling}"
    size = sum(f.lstat().st_size for f in files)
    assert size < SIZE_LIMIT, f"bundle is {size / 2**20:.0f} MiB"
    assert (BUNDLE / "_internal" / "resources" / "catalogue" / "services.json").is_file()
    assert not list(BUNDLE.rglob("*.qm")), "Qt translations should be filtered out"
    if sys.platform.startswith("linux"):
        icu = [f for f in files if f.name.startswith("libicudata") and not f.is_symlink()]
        assert icu, "Qt's ICU data is missing"
        assert all(f.stat().st_size < ICU_DATA_LIMIT for f in icu), "ICU's data is not trimmed"
        assert not [f for f in files if f.name.startswith("libcups.so")], "libcups is bundled"

    version = subprocess.run(
        [str(program), "--version"], capture_output=True, text=True, timeout=60, check=True
    )
    assert version.stdout.strip() == f"{APP_ID} {__version__}"

    started = time.perf_counter()
    smoke = subprocess.run(
        [str(program), "--smoke-test", "--temp-basedir"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
        check=False,
    )
    seconds = time.perf_counter() - started
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert smoke.stdout.splitlines()[-1] == "OK"
    for step in SMOKE_STEPS:
        assert step in smoke.stdout, f"the bundle's smoke test skipped {step!r}"
    print(f"bundle {size / 2**20:.0f} MiB; smoke test {seconds:.1f} s")  # noqa: T201
