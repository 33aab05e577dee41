"""How long an update takes, from "update available" to the new version running, and its size.

    python bench/update_bench.py [--payload DIR] [--size-mb 0.3] [--json FILE]

Two releases of a bundle are published to a repository served on 127.0.0.1 (tufup, as
``release publish`` does): a small launcher that starts the desk from this source tree at the
bundle's version (the integration test's small bundle), beside a payload — random data of
``--size-mb`` (compresses as little as code), or a copy of a real bundle folder with
``--payload dist/disdukcapil-desk`` — of which 40 bytes change in the second release. Then,
for a workstation that downloads the full archive (its first update) and for one that has the
previous archive (every later update, the patch):

- check → staged: ``check_for_update`` (metadata verified, download, patch applied, unpacked);
  floor: the same bytes fetched with ``urllib`` and the archive unpacked with ``tarfile``;
- staged → new version's login painted: the old version started as an officer starts it
  (installs the staged release, ``exec``-s the new one, whose login dialog is painted); floor:
  the new version started with nothing to install, until its login is painted;
- the sum of both: "update available → running the new version".

Sizes: the patch beside the full archive (bytes). Every process is fresh; the machine's load
is printed beside. ``--json FILE`` writes the figures (name, desk, floor, unit, ratio).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from disdukcapil_desk.db.engine import sqlite_url  # noqa: E402
from disdukcapil_desk.db.models import SCHEMA_VERSION  # noqa: E402
from disdukcapil_desk.updates import APP_NAME  # noqa: E402
from disdukcapil_desk.updates.client import Outcome, check_for_update  # noqa: E402
from disdukcapil_desk.updates.publish import init_repo, metadata_dir, publish  # noqa: E402

OLD, NEW = "1.0.0", "1.1.0"
LAUNCHER = "disdukcapil-desk"
LAUNCHER_TEXT = """#!{python}
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
import disdukcapil_desk

with open(os.path.join(here, "version.txt"), encoding="utf-8") as file:
    disdukcapil_desk.__version__ = file.read().strip()
sys.frozen = True
sys.executable = os.path.abspath(__file__)
from disdukcapil_desk.ui.dialogs.login_dialog import LoginDialog

_paint = LoginDialog.paintEvent


def _painted(self, event):
    _paint(self, event)
    print("login", disdukcapil_desk.__version__, flush=True)
    os._exit(0)


LoginDialog.paintEvent = _painted
from disdukcapil_desk.__main__ import main

main()
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1; yield its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def bundle(folder: Path, version: str, payload: Path | None, size_mb: float) -> Path:
    """A bundle of ``version``: the launcher, its version, the payload (40 bytes changed)."""
    if payload is not None:
        shutil.copytree(payload, folder, symlinks=True)
    folder.mkdir(parents=True, exist_ok=True)
    data = bytearray(random.Random(16).randbytes(int(size_mb * 1024 * 1024)))
    if version == NEW and data:
        middle = len(data) // 2
        data[middle : middle + 40] = b"v1.1.0 changed this part of the library!"
    (folder / "lib").mkdir(exist_ok=True)
    (folder / "lib" / "desk.pyd").write_bytes(bytes(data))
    (folder / "version.txt").write_text(version, encoding="utf-8")
    launcher = folder / LAUNCHER
    launcher.write_text(LAUNCHER_TEXT.format(python=sys.executable), encoding="utf-8")
    launcher.chmod(0o755)
    return folder


def start_window(install: Path, basedir: Path, database: Path) -> float:
    """Start the installed bundle until its login is painted; wall seconds."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    for name in ("DISDUKCAPIL_DB", "DISDUKCAPIL_DESK_UPDATED_FROM"):
        env.pop(name, None)
    command = [str(install / LAUNCHER), "--basedir", str(basedir), "--db", sqlite_url(database)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0 or "login" not in done.stdout:
        raise RuntimeError(f"the window did not start: {done.stderr[-1500:]}")
    return took


def fetch_floor(url: str, folder: Path) -> float:
    """The floor of a check: the archive's bytes over HTTP, unpacked; wall seconds."""
    started = time.perf_counter()
    archive = folder / "floor.tar.gz"
    with urllib.request.urlopen(url) as answer, archive.open("wb") as out:
        shutil.copyfileobj(answer, out)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(folder / "floor", filter="data")
    took = time.perf_counter() - started
    shutil.rmtree(folder / "floor")
    archive.unlink()
    return took


def prepared_database(folder: Path) -> Path:
    """A fresh SQLite database with its schema (``db init``)."""
    database = folder / "desk.sqlite3"
    init = ["--db", sqlite_url(database), "db", "init"]
    subprocess.run(
        [sys.executable, "-m", "disdukcapil_desk", "--basedir", str(folder / "init"), *init],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return database


def one_update(
    work: Path, url: str, repo: Path, dists: dict[str, Path], database: Path, patch: bool
) -> dict[str, float]:
    """One workstation updated from the first release to the second; its timings."""
    kind = "patch" if patch else "full"
    install = shutil.copytree(dists[OLD], work / f"installed-{kind}", symlinks=True)
    basedir = work / f"desk-{kind}"
    cache = basedir / "cache" / "pembaruan"
    if patch:  # a workstation that came to 1.0.0 by an update keeps its archive
        (cache / "targets").mkdir(parents=True)
        name = f"{APP_NAME}-{OLD}.tar.gz"
        shutil.copyfile(repo / "targets" / name, cache / "targets" / name)
    started = time.perf_counter()
    result = check_for_update(
        url,
        install,
        OLD,
        cache_dir=cache,
        trusted_root=work / "root-1.0.0.json",
        database_schema=SCHEMA_VERSION,
    )
    staged = time.perf_counter() - started
    if result.outcome is not Outcome.READY or result.patched != patch:
        raise RuntimeError(f"unexpected outcome: {result}")
    restarted = start_window(install, basedir, database)
    if (install / "version.txt").read_text(encoding="utf-8") != NEW:
        raise RuntimeError("the new version was not installed")
    floor_file = f"{APP_NAME}-{NEW}.tar.gz"
    floor_fetch = fetch_floor(f"{url}targets/{floor_file}", work)
    floor_start = start_window(install, basedir, database)  # nothing staged any more
    return {
        "staged": staged,
        "restart": restarted,
        "floor_fetch": floor_fetch,
        "floor_start": floor_start,
        "downloaded": result.downloaded,
    }


def main(argv: list[str] | None = None) -> int:
    """Publish two releases, update a workstation (full, then patch), print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payload", type=Path, help="a bundle folder to ship (a real one)")
    parser.add_argument("--size-mb", type=float, default=0.3, help="random payload (MiB)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="update-bench-") as folder:
        work = Path(folder)
        repo, keys = work / "repo", work / "keys"
        dists = {v: bundle(work / f"dist-{v}", v, args.payload, args.size_mb) for v in (OLD, NEW)}
        init_repo(repo, keys)
        publish(dists[OLD], repo, keys, OLD, SCHEMA_VERSION)
        shutil.copyfile(metadata_dir(repo) / "root.json", work / "root-1.0.0.json")
        started = time.perf_counter()
        published = publish(dists[NEW], repo, keys, NEW, SCHEMA_VERSION)
        publish_s = time.perf_counter() - started
        database = prepared_database(work)
        with served(repo) as url:
            runs = {
                kind: one_update(work, url, repo, dists, database, kind == "patch")
                for kind in ("full", "patch")
            }
        unpacked = sum(p.stat().st_size for p in dists[NEW].rglob("*") if p.is_file())
        sizes = (published.patch_size or 0, published.archive_size)
    load_after = os.getloadavg()
    figures = [
        _figure("patch size (vs full archive)", sizes[0], sizes[1], "B"),
    ]
    for kind, run in runs.items():
        total = run["staged"] + run["restart"]
        floor_total = run["floor_fetch"] + run["floor_start"]
        figures += [
            _figure(f"check → staged ({kind})", run["staged"], run["floor_fetch"], "s"),
            _figure(f"staged → login painted ({kind})", run["restart"], run["floor_start"], "s"),
            _figure(f"update available → new version running ({kind})", total, floor_total, "s"),
        ]
    print(f"bundle: {unpacked:,} B unpacked; publish of the 2nd release {publish_s:.1f} s")
    print(f"{'figure':<52} {'desk':>12} {'floor':>12} {'ratio':>7}")
    for figure in figures:
        unit = figure["unit"]
        print(
            f"{figure['name']:<52} {figure['desk']:>10} {unit:<1} {figure['floor']:>10} {unit:<1}"
            f" {figure['ratio']:>6}x"
        )
    print(
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
        f"{os.cpu_count()} CPUs"
    )
    if args.json is not None:
        document = {
            "bench": "updates",
            "bundle_bytes": unpacked,
            "publish_s": round(publish_s, 3),
            "load_before": round(load_before[0], 2),
            "load_after": round(load_after[0], 2),
            "cpus": os.cpu_count(),
            "figures": figures,
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


def _figure(name: str, desk: float, floor: float, unit: str) -> dict[str, Any]:
    precision = 0 if unit == "B" else 3
    return {
        "name": name,
        "desk": round(desk, precision) if precision else int(desk),
        "floor": round(floor, precision) if precision else int(floor),
        "unit": unit,
        "ratio": round(desk / floor, 3) if floor else None,
    }


if __name__ == "__main__":
    sys.exit(main())
