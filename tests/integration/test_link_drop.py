"""A workstation whose link to the server drops (packets lost, nothing refused) finds out in
seconds, not after the operating system's quarter of an hour of retransmissions.

The desk runs in a network namespace joined to the host by a veth pair; a throwaway PostgreSQL
server listens on the host's end. Once the desk has a pooled connection, the namespace's end
starts losing every packet (``tc netem loss 100%``), as a UPT's link does when it drops. The
desk's next database call must fail with ``ConnectionLost`` within the engine's link timeout
(``db/engine.py``): that is what lets the window say so and, on an offline-capable workstation,
go on on its local copy. When the link is back, the next call reaches the server again (the
pool lets the dead connection go). Needs root, ``ip`` and the PostgreSQL server binaries; skipped
elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from disdukcapil_desk.db.engine import PG_LINK_TIMEOUT_S

ROOT = Path(__file__).resolve().parents[2]
START_POSTGRES = ROOT / "scripts" / "start-postgres.sh"
ANSWER_WITHIN_S = PG_LINK_TIMEOUT_S + 20
"""The link timeout, then a new connection's timeout, with room for a loaded machine."""

CHILD = textwrap.dedent(
    """
    import sys, time
    from sqlalchemy import text
    from disdukcapil_desk.domain.errors import ConnectionLost
    from disdukcapil_desk.operations.context import DeskContext

    ctx = DeskContext.open(sys.argv[1])
    with ctx.reading() as session:
        session.execute(text("SELECT 1")).scalar_one()
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.monotonic()
    try:
        with ctx.reading() as session:
            session.execute(text("SELECT 1")).scalar_one()
        print("answered", flush=True)
    except ConnectionLost as exc:
        print(f"lost {time.monotonic() - started:.1f} {exc}", flush=True)
    sys.stdin.readline()
    with ctx.reading() as session:
        session.execute(text("SELECT 1")).scalar_one()
    print("back", flush=True)
    """
)


@dataclass(frozen=True)
class Link:
    """A namespace joined to the host, and a server on the host's end."""

    namespace: str
    host: str
    """The host's end of the pair: taken down, every packet the desk sends is lost."""
    url: str


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=60)


def _can_build_links() -> str | None:
    """Why this machine cannot run the test (None: it can)."""
    if os.geteuid() != 0:
        return "needs root for network namespaces"
    if shutil.which("ip") is None:
        return "needs ip (iproute2)"
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        return "needs the PostgreSQL server binaries"
    return None


@pytest.fixture
def link() -> Iterator[Link]:
    why = _can_build_links()
    if why:
        pytest.skip(why)
    tag = os.getpid() % 100_000
    namespace, host, inner = f"desk{tag}", f"dkh{tag}", f"dkn{tag}"
    subnet = f"10.213.{tag % 250}"
    try:
        _run("ip", "netns", "add", namespace)
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"no network namespaces here: {exc.stderr.decode().strip()}")
    # Not under pytest's folder: the server runs as the postgres user, who cannot enter it.
    cluster = Path(tempfile.mkdtemp(prefix="desk-link-")) / "pg"
    cluster.parent.chmod(0o755)
    try:
        _run("ip", "link", "add", host, "type", "veth", "peer", "name", inner)
        _run("ip", "link", "set", inner, "netns", namespace)
        _run("ip", "addr", "add", f"{subnet}.1/24", "dev", host)
        _run("ip", "link", "set", host, "up")
        inside = ("ip", "netns", "exec", namespace)
        _run(*inside, "ip", "addr", "add", f"{subnet}.2/24", "dev", inner)
        _run(*inside, "ip", "link", "set", inner, "up")
        port = 57000 + tag % 900
        url = subprocess.run(
            ["bash", str(START_POSTGRES), str(cluster), str(port), f"{subnet}.1"],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout.strip()
        yield Link(namespace, host, url)
    finally:
        _stop_cluster(cluster)
        shutil.rmtree(cluster.parent, ignore_errors=True)
        subprocess.run(["ip", "netns", "del", namespace], capture_output=True, timeout=60)
        subprocess.run(["ip", "link", "del", host], capture_output=True, timeout=60)


def _stop_cluster(cluster: Path) -> None:
    if not (cluster / "data" / "PG_VERSION").exists():
        return
    pg_ctl = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))[-1]
    stop = f"{pg_ctl} -D {cluster}/data -m immediate stop"
    subprocess.run(
        ["su", "postgres", "-s", "/bin/bash", "-c", stop],
        capture_output=True,
        timeout=60,
    )


def test_a_dropped_link_is_found_in_seconds_and_the_desk_reconnects_when_it_is_back(
    link: Link,
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    desk = subprocess.Popen(
        ["ip", "netns", "exec", link.namespace, sys.executable, "-c", CHILD, link.url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert desk.stdin is not None and desk.stdout is not None
    said: list[str] = []

    def tell(line: str) -> None:
        assert desk.stdin is not None
        desk.stdin.write(line + "\n")
        desk.stdin.flush()

    def hear(within: float) -> str:
        assert desk.stdout is not None
        reader = threading.Thread(target=lambda: said.append(desk.stdout.readline().strip()))
        reader.start()
        reader.join(within)
        if reader.is_alive():
            desk.kill()
            pytest.fail(f"the desk was still waiting for the server {within:.0f} s later")
        return said[-1]

    try:
        assert hear(60) == "ready", desk.stderr.read()  # type: ignore[union-attr]
        _run("ip", "link", "set", link.host, "down")
        started = time.monotonic()
        tell("go")
        answer = hear(ANSWER_WITHIN_S)
        took = time.monotonic() - started
        assert answer.startswith("lost "), answer
        assert took < ANSWER_WITHIN_S
        _run("ip", "link", "set", link.host, "up")
        tell("again")
        assert hear(ANSWER_WITHIN_S) == "back"  # the pool let the dead connection go
    finally:
        if desk.poll() is None:
            desk.kill()
        desk.communicate()
