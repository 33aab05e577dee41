"""How long a login takes, and whether it tells which accounts exist.

    python bench/login_bench.py [--reps 15] [--pg URL] [--only sqlite|postgresql]

First the bare scrypt cost of each candidate work factor on this machine (the old 2^14, the
desk's current one, OWASP's 2^17), with the memory each needs. Then, on a fresh database of each
kind, ``UserOps.authenticate`` timed for: a correct password, a wrong password of a known
account, a login that does not exist, a deactivated account, a locked account, and the first
login of an account still hashed at the old cost (verify + rehash). The unknown, deactivated and
locked answers should match the wrong-password answer to within a few milliseconds.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import contextlib
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable

from sqlalchemy import create_engine, text, update
from sqlalchemy.engine import make_url

from disdukcapil_desk.db.engine import make_engine, sqlite_url
from disdukcapil_desk.db.models import AppUser
from disdukcapil_desk.domain.dto import SYSTEM_ACTOR
from disdukcapil_desk.domain.errors import AuthError
from disdukcapil_desk.domain.passwords import (
    CURRENT_COST,
    LEGACY_COST,
    ScryptCost,
    _scrypt,
    hash_password,
)
from disdukcapil_desk.domain.workflow import Role
from disdukcapil_desk.operations.context import DeskContext, load_reference_data
from disdukcapil_desk.operations.setup import SetupOps
from disdukcapil_desk.operations.users import MAX_FAILED_LOGINS, UserOps

PASSWORD = "bench-sandi-123"


def _times(
    call: Callable[[], object], reps: int, before: Callable[[], object] = lambda: None
) -> list[float]:
    """``reps`` timings of ``call`` after one warm call; ``before`` runs untimed each time."""
    found = []
    for rep in range(reps + 1):
        before()
        start = time.perf_counter()
        with contextlib.suppress(AuthError):
            call()
        if rep:  # the first warms statements, connections, caches
            found.append(time.perf_counter() - start)
    return found


def _line(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    print(
        f"  {label:<44} median {statistics.median(ordered) * 1000:7.1f} ms   "
        f"min {ordered[0] * 1000:7.1f}   max {ordered[-1] * 1000:7.1f}"
    )


def scrypt_costs(reps: int) -> None:
    """The bare hash at each candidate cost."""
    print(f"scrypt alone ({reps} reps):")
    for cost in (LEGACY_COST, CURRENT_COST, ScryptCost(2**17, 8, 1)):
        times = _times(lambda c=cost: _scrypt(PASSWORD, b"0" * 16, c), reps)  # type: ignore[misc]
        mark = " (desk now)" if cost == CURRENT_COST else ""
        _line(
            f"N=2^{cost.n.bit_length() - 1} r={cost.r} p={cost.p} {cost.memory >> 20} MiB{mark}",
            times,
        )


def logins(url: str, reps: int) -> None:
    """The login's answers on one database."""
    ctx = DeskContext(make_engine(url), load_reference_data())
    try:
        SetupOps(ctx).init()
        ops = UserOps(ctx, sleep=lambda _: None)
        for login in ("known", "inactive", "locked", "legacy"):
            ops.add(SYSTEM_ACTOR, login, PASSWORD, Role.COUNTER, location_code="DINAS")
        ops.deactivate(SYSTEM_ACTOR, "inactive")
        for _ in range(MAX_FAILED_LOGINS):
            with contextlib.suppress(AuthError):
                ops.authenticate("locked", "keliru-sekali")
        _line("correct password", _times(lambda: ops.authenticate("known", PASSWORD), reps))
        wrong = _times(
            lambda: ops.authenticate("known", "keliru-sekali"),
            reps,
            before=lambda: ops.unlock(SYSTEM_ACTOR, "known"),  # never reaches the lock
        )
        _line("wrong password (known login)", wrong)
        _line("unknown login", _times(lambda: ops.authenticate("tidak.ada", PASSWORD), reps))
        _line("deactivated account", _times(lambda: ops.authenticate("inactive", PASSWORD), reps))
        _line("locked account", _times(lambda: ops.authenticate("locked", PASSWORD), reps))
        legacy = []
        for _ in range(max(3, reps // 3)):
            with ctx.sessions() as session, session.begin():
                session.execute(
                    update(AppUser)
                    .where(AppUser.login == "legacy")
                    .values(password_hash=hash_password(PASSWORD, LEGACY_COST))
                )
            start = time.perf_counter()
            ops.authenticate("legacy", PASSWORD)
            legacy.append(time.perf_counter() - start)
        _line("first login with an old 2^14 hash (+ rehash)", legacy)
    finally:
        ctx.close()


def main() -> None:
    """Print the figures for SQLite and (with --pg) PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--pg", default=os.environ.get("DISDUKCAPIL_TEST_PG"))
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    scrypt_costs(args.reps)
    if args.only != "postgresql":
        print("sqlite:")
        with tempfile.TemporaryDirectory() as folder:
            logins(sqlite_url(Path(folder) / "login.db"), args.reps)
    if args.pg and args.only != "sqlite":
        print("postgresql:")
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        name = f"bench_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            logins(make_url(args.pg).set(database=name).render_as_string(False), args.reps)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
