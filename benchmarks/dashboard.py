"""Dashboard benchmark for Steadyline (not part of the test suite; see docs/benchmarks.md).

In one run against the real app (``steadyline serve`` in its own process, SQLite, loopback only):
``--clients`` clients (200 by default), each with their own standing link, submit a daily check-in
within ``--window`` seconds (60), at seeded random moments; every note carries self-harm vocabulary, so
every check-in raises an urgent alert for a person to review. A therapist's live dashboard (the console's
``/staff`` socket) is connected the whole time.

Printed, each as p50 / p95 / max with the load average of the run:

* **baseline — the check-in's own round trip**: the client's ``POST /api/home/check-ins`` answered;
* **check-in submitted → alert on the dashboard**: from the moment the client sends the check-in to
  the moment the therapist's socket receives the alert for that client; its p95 against the target
  (≤ 1 s at 200 clients within a minute) and its ratio to the baseline's p95.

The verdict is MET only when every alert reached the dashboard (a lost push fails it) and p95 ≤ 1 s.

    .venv/bin/python benchmarks/dashboard.py                 # 200 clients in 60 s
    .venv/bin/python benchmarks/dashboard.py --clients 50 --window 15
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402
import asyncpg  # noqa: E402
import socketio  # noqa: E402

from benchmarks.signaling import Api, OurServerFactory, describe_machine, wait_for_quiet  # noqa: E402

NOTE = "Rough week. Some nights I want to hurt myself."  # synthetic; the default word list matches it
TARGET_P95_MS = 1000.0


@dataclass
class Submission:
    client_id: str
    sent: float = 0.0
    answered: float = 0.0
    on_dashboard: float | None = None


class PostgresServerFactory(OurServerFactory):
    """Our server on a fresh database of a running PostgreSQL (``--postgres``), dropped afterwards."""

    def __init__(self, workdir: Path, server_url: str) -> None:
        super().__init__(workdir)
        self.server_url = server_url  # e.g. postgresql://postgres@127.0.0.1:5432/postgres
        self.name = f"steadyline_bench_{secrets.token_hex(4)}"

    def env(self, port: int) -> dict[str, str]:
        base = self.server_url.replace("postgresql://", "postgresql+asyncpg://", 1).rsplit("/", 1)[0]
        return super().env(port) | {"STEADYLINE_DATABASE_URL": f"{base}/{self.name}"}

    async def create(self) -> None:
        await self._administer(f'CREATE DATABASE "{self.name}"')

    async def drop(self) -> None:
        await self._administer(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    async def _administer(self, statement: str) -> None:
        connection = await asyncpg.connect(self.server_url)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()


class Dashboard:
    """The therapist's console socket: records when each client's alert arrives."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.arrived: dict[str, float] = {}
        self.sio.on("alert", self._alert, namespace="/staff")

    async def _alert(self, data: dict) -> None:
        alert = data.get("alert") if isinstance(data, dict) else None
        client_id = alert.get("client_id") if isinstance(alert, dict) else None
        if client_id and client_id not in self.arrived:
            self.arrived[client_id] = time.monotonic()

    async def connect(self, token: str) -> None:
        await self.sio.connect(self.url, namespaces=["/staff"], auth={"token": token}, transports=["websocket"],
                               wait_timeout=10)

    async def close(self) -> None:
        await self.sio.disconnect()


@dataclass
class Client:
    client_id: str
    home_token: str
    address: str  # each client comes from an address of their own, as real ones do (limits are per address)


async def enrol(api: Api, count: int) -> list[Client]:
    """``count`` clients, each in a session the bench therapist leads, each with a home token."""
    enrolled = []
    for index in range(count):
        session = await api.create_session("individual", f"Check-in cohort {index}")
        client_id = (await api.add_client(session["id"], f"Client {index}"))["participant"]["client_id"]
        issued = await api.call("POST", f"/api/clients/{client_id}/home-link", expect=201)
        address = f"198.19.{index // 250}.{index % 250 + 1}"
        opened = await api.call("POST", "/api/home/open", {"token": issued["url"].split("#", 1)[1]}, token="",
                                headers={"X-Forwarded-For": address})
        enrolled.append(Client(client_id, opened["home_token"], address))
    return enrolled


async def submit_all(api: Api, enrolled: list[Client], window: float, seed: int) -> list[Submission]:
    rng = random.Random(seed)
    moments = sorted(rng.uniform(0, window) for _ in enrolled)
    start = time.monotonic()

    async def one(client: Client, at: float) -> Submission:
        await asyncio.sleep(max(0.0, start + at - time.monotonic()))
        done = Submission(client.client_id, sent=time.monotonic())
        await api.call("POST", "/api/home/check-ins", {"mood": 3, "sleep_hours": 5, "cravings": 4, "note": NOTE},
                       token=client.home_token, expect=201, headers={"X-Forwarded-For": client.address},
                       retry_limited=False)
        done.answered = time.monotonic()
        return done

    return list(await asyncio.gather(*(one(client, at) for client, at in zip(enrolled, moments))))


def percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return statistics.median(ordered), p95, ordered[-1]


def report(runs: list[Submission], load: tuple[float, float], window: float) -> str:
    round_trip = [(s.answered - s.sent) * 1000 for s in runs]
    pushed = [(s.on_dashboard - s.sent) * 1000 for s in runs if s.on_dashboard is not None]
    lost = sum(1 for s in runs if s.on_dashboard is None)
    rt50, rt95, rtmax = percentiles(round_trip)
    lines = [f"{len(runs)} clients, one check-in each within {window:.0f} s; "
             f"load average {load[0]:.2f} -> {load[1]:.2f}",
             f"  baseline: check-in round trip       p50 {rt50:7.1f} ms  p95 {rt95:7.1f} ms  max {rtmax:7.1f} ms"]
    if pushed:
        p50, p95, pmax = percentiles(pushed)
        lines.append(f"  check-in sent -> alert on dashboard p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  max {pmax:7.1f} ms"
                     f"  (p95 {p95 / rt95:.2f}x the round trip's)")
        met = lost == 0 and p95 <= TARGET_P95_MS
    else:
        p95, met = float("nan"), False
    lines.append(f"  alerts lost: {lost} of {len(runs)}")
    lines.append(f"Target p95 <= {TARGET_P95_MS:.0f} ms with no alert lost: {'MET' if met else 'NOT MET'}")
    return "\n".join(lines)


async def main_async(args) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="steadyline-dashboard-bench-"))
    began = time.monotonic()
    print(f"Machine: {describe_machine()}", flush=True)
    ours = PostgresServerFactory(workdir, args.postgres) if args.postgres else OurServerFactory(workdir)
    print(f"Database: {'PostgreSQL (' + args.postgres + ')' if args.postgres else 'SQLite (the embedded default)'}")
    try:
        if args.postgres:
            await ours.create()
        server = await ours.start()
        try:
            async with aiohttp.ClientSession() as http:
                api = Api(http, server.url)
                await api.login()
                print(f"Enrolling {args.clients} clients (standing links opened) ...", flush=True)
                enrolled = await enrol(api, args.clients)
                dashboard = Dashboard(server.url)
                await dashboard.connect(api.token)
                try:
                    await wait_for_quiet(args.quiet_wait, args.max_background)
                    load_before = os.getloadavg()[0]
                    print(f"{args.clients} check-ins within {args.window:.0f} s ...", flush=True)
                    runs = await submit_all(api, enrolled, args.window, args.seed)
                    deadline = time.monotonic() + 10  # bounded wait for the last pushes
                    while len(dashboard.arrived) < len(runs) and time.monotonic() < deadline:
                        await asyncio.sleep(0.05)
                    load_after = os.getloadavg()[0]
                finally:
                    await dashboard.close()
            for run in runs:
                run.on_dashboard = dashboard.arrived.get(run.client_id)
        finally:
            server.stop()
    finally:
        if args.postgres:
            await ours.drop()
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(report(runs, (load_before, load_after), args.window))
    print(f"\nTotal wall time {time.monotonic() - began:.0f} s.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200, help="clients submitting (default %(default)s)")
    parser.add_argument("--window", type=float, default=60.0, help="seconds they submit within (default %(default)s)")
    parser.add_argument("--postgres", metavar="URL", help="run on a fresh database of this running PostgreSQL "
                        "(e.g. postgresql://postgres@127.0.0.1:5432/postgres) instead of SQLite")
    parser.add_argument("--seed", type=int, default=19, help="seed of the submission moments")
    parser.add_argument("--quiet-wait", type=float, default=8, help="seconds to wait for a quiet machine")
    parser.add_argument("--max-background", type=float, default=0.25, help="cores of other work counted as quiet")
    args = parser.parse_args(argv)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
