"""After-hours help benchmark for Steadyline (not part of the test suite; see docs/benchmarks.md).

In one run against the real app (``steadyline serve`` in its own process, SQLite, loopback only, a real
SMTP server in this process for the pages):

* **baseline — core join time**: a client redeems a link, waits in the lobby, is admitted by a therapist
  bot, negotiates SDP and decodes the therapist's first video frame (``benchmarks/signaling.py``'s join
  benchmark, reused as is);
* **help press → on-call clinician's first frame**: a client on their own page ("my Steadyline") presses
  "I need help now" and joins their urgent room; the durable page step pages the rostered on-call
  clinician by e-mail; a bot clinician opens the page's link the moment it arrives (a person's reaction
  time is not measured), joins as host, and decodes the client's first video frame.

Printed: help press → page delivered (the paging delay: Steadyline's own part of it), help press → the
clinician's first frame, its ratio to the core join time, and the ratio with the paging delay taken out
(target: ≤ 2× core join, plus the paging delay). Every loop is bounded.

    .venv/bin/python benchmarks/after_hours.py             # 10 runs (+1 warm-up)
    .venv/bin/python benchmarks/after_hours.py --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402

from benchmarks.signaling import (  # noqa: E402
    STAFF_PASSWORD, Api, OurServerFactory, camera, describe_machine, free_port, loopback_only_ice, run_joins,
    steadyline_command, wait_for_quiet,
)
from loadtest.options import VideoFormat  # noqa: E402

ADMIN_EMAIL = "bench-admin@example.test"
PAGE_SUBJECT = "A client in your program needs you in a crisis session now"


@dataclass
class HelpRun:
    help_answered_ms: float  # the help press answered (room, crisis, page armed)
    client_in_room_ms: float  # the client joined their urgent room
    page_delivered_ms: float  # the page reached the clinician's mailbox
    first_frame_ms: float  # the clinician decoded the client's first video frame


class PagingServer(OurServerFactory):
    """Our server with SMTP pointed at this process's inbox and an admin account to set the roster."""

    def __init__(self, workdir: Path, smtp_port: int) -> None:
        super().__init__(workdir)
        self.smtp_port = smtp_port

    def env(self, port: int) -> dict[str, str]:
        return super().env(port) | {"STEADYLINE_SMTP_HOST": "127.0.0.1", "STEADYLINE_SMTP_PORT": str(self.smtp_port),
                                    "STEADYLINE_SMTP_FROM": "pages@example.test"}

    def create_staff(self) -> None:
        if self._staff_created:
            return
        super().create_staff()
        env = self.env(free_port()) | {"STEADYLINE_NEW_STAFF_PASSWORD": STAFF_PASSWORD}
        done = subprocess.run([*steadyline_command(), "create-staff", "--email", ADMIN_EMAIL, "--name", "Bench Lead",
                               "--role", "admin"], env=env, cwd=self.workdir, capture_output=True, text=True,
                              timeout=120)
        if done.returncode:
            raise RuntimeError(f"steadyline create-staff failed:\n{done.stdout}{done.stderr}")


async def _roster(api: Api) -> None:
    admin = await api.call("POST", "/api/auth/login", {"email": ADMIN_EMAIL, "password": STAFF_PASSWORD}, token="")
    me = await api.call("GET", "/api/me")
    shifts = [{"clinician_id": me["id"], "weekday": d, "start": "00:00", "end": "00:00", "coverage": "primary"}
              for d in range(7)]
    await api.call("PUT", "/api/program/on-call", {"timezone": "UTC", "shifts": shifts}, token=admin["access_token"])


async def run_help(args, ours: PagingServer, inbox) -> list[HelpRun]:
    loopback_only_ice()
    from tests.support.rtc_peer import RtcPeer
    from tests.support.smtp import Inbox
    from tests.support.world import SocketClient

    async def until(check, timeout: float):
        deadline = time.monotonic() + timeout
        while True:
            found = check()
            if found:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError("after-hours step timed out")
            await asyncio.sleep(0.002)

    server = await ours.start()
    runs: list[HelpRun] = []
    try:
        async with aiohttp.ClientSession() as http:
            api = Api(http, server.url)
            await api.login()
            await _roster(api)
            for index in range(args.runs + 1):  # the first run warms up and is not counted
                session = await api.create_session("individual", f"Enrolment {index}")
                client_id = (await api.add_client(session["id"], f"Client {index}"))["participant"]["client_id"]
                issued = await api.call("POST", f"/api/clients/{client_id}/home-link", expect=201)
                opened = await api.call("POST", "/api/home/open", {"token": issued["url"].split("#", 1)[1]}, token="",
                                        headers={"X-Forwarded-For": f"198.19.0.{index % 250 + 1}"})
                home = opened["home_token"]
                seen = len(inbox.messages)
                client, clinician = SocketClient(server.url), SocketClient(server.url)
                peers: list[RtcPeer] = []
                try:
                    t0 = time.monotonic()
                    helped = await api.call("POST", "/api/home/help", {}, token=home, expect=201)
                    t_help = time.monotonic()
                    joined = await api.call("POST", f"/api/home/sessions/{helped['session_id']}/join", token=home)
                    await client.connect(joined["participant_token"])
                    ack = await client.call("join")
                    assert ack["state"]["you"]["status"] == "admitted", ack
                    t_room = time.monotonic()
                    client_pid = ack["state"]["you"]["participant_id"]
                    client_peer = RtcPeer(client, client_pid, camera=camera(args.video))
                    peers.append(client_peer)
                    page = await until(lambda: next((m for m in inbox.messages[seen:]
                                                     if m["Subject"] == PAGE_SUBJECT), None), 30)
                    t_page = time.monotonic()
                    redeemed = await api.redeem(Inbox.page_link(page), 3000 + index)
                    await clinician.connect(redeemed["participant_token"])
                    hosted = await clinician.call("join")
                    assert hosted["state"]["you"]["status"] == "admitted", hosted
                    host_pid = hosted["state"]["you"]["participant_id"]
                    host_peer = RtcPeer(clinician, host_pid, camera=camera(args.video))
                    peers.append(host_peer)
                    await host_peer.offer_to(client_pid)
                    await until(lambda: client_pid in host_peer.first_frame_at, 30)
                    t_frame = host_peer.first_frame_at[client_pid]
                    ms = lambda a, b: (b - a) * 1000  # noqa: E731
                    run = HelpRun(help_answered_ms=ms(t0, t_help), client_in_room_ms=ms(t0, t_room),
                                  page_delivered_ms=ms(t0, t_page), first_frame_ms=ms(t0, t_frame))
                    if index > 0:
                        runs.append(run)
                    print(f"  help run {index}{' (warm-up, not counted)' if index == 0 else ''}: page delivered "
                          f"after {run.page_delivered_ms:.0f} ms, clinician's first frame after "
                          f"{run.first_frame_ms:.0f} ms", flush=True)
                    cid = helped["crisis_id"]
                    version = (await api.call("GET", f"/api/crises/{cid}"))["version"]
                    for action in ("stabilise", "close"):
                        version = (await api.call("POST", f"/api/crises/{cid}/transitions", {
                            "action": action, "expected_version": version, "book_follow_up": False}))["version"]
                finally:
                    await asyncio.wait_for(asyncio.gather(*(p.close() for p in peers), return_exceptions=True), 15)
                    for sock in (clinician, client):
                        if sock.connected:
                            with contextlib.suppress(Exception):
                                await asyncio.wait_for(sock.disconnect(), 5)
                    with contextlib.suppress(Exception):
                        await api.end(session["id"])
    finally:
        server.stop()
    return runs


def report(core_ms: list[float], runs: list[HelpRun], load: tuple[float, float]) -> str:
    core = statistics.median(core_ms)
    paging = statistics.median(r.page_delivered_ms for r in runs)
    rows = [("core join: link -> first frame (baseline)", core_ms)]
    rows += [(label, [getattr(r, attr) for r in runs]) for label, attr in (
        ("help press -> answered (room, crisis, page armed)", "help_answered_ms"),
        ("help press -> client in their room", "client_in_room_ms"),
        ("help press -> page delivered (paging delay)", "page_delivered_ms"),
        ("help press -> on-call clinician's first frame", "first_frame_ms"),
    )]
    lines = ["| measure | median ms | min | max | × core join |", "|---|---|---|---|---|"]
    for label, values in rows:
        lines.append(f"| {label} | {statistics.median(values):.0f} | {min(values):.0f} | {max(values):.0f} | "
                     f"{statistics.median(values) / core:.2f} |")
    frame = statistics.median(r.first_frame_ms for r in runs)
    lines.append("")
    lines.append(f"help press -> first frame, paging delay taken out: {frame - paging:.0f} ms = "
                 f"{(frame - paging) / core:.2f} × core join (target ≤ 2.00); load average "
                 f"{load[0]:.2f} before, {load[1]:.2f} after")
    return "\n".join(lines)


async def main_async(args) -> int:
    from tests.support.smtp import smtp_inbox

    workdir = Path(tempfile.mkdtemp(prefix="steadyline-after-hours-bench-"))
    began = time.monotonic()
    print(f"Machine: {describe_machine()}", flush=True)
    try:
        with smtp_inbox() as inbox:
            ours = PagingServer(workdir, inbox.port)
            await wait_for_quiet(args.quiet_wait, args.max_background)
            load_before = os.getloadavg()[0]
            print(f"Core join: {args.runs} runs (+1 warm-up) ...", flush=True)
            joins = await run_joins(argparse.Namespace(join_runs=args.runs), ours, args.video)
            print(f"Help press: {args.runs} runs (+1 warm-up) ...", flush=True)
            runs = await run_help(args, ours, inbox)
            load_after = os.getloadavg()[0]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(f"After-hours help against the core join time, {len(runs)} runs each (aiortc VP8, every peer "
          f"{args.video.label}, loopback; the paged clinician is a bot that opens the link at once)")
    print(report([j.first_frame_ms for j in joins], runs, (load_before, load_after)))
    print(f"\nTotal wall time {time.monotonic() - began:.0f} s.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="measured runs")
    parser.add_argument("--quiet-wait", type=float, default=8, help="seconds to wait for a quiet machine")
    parser.add_argument("--max-background", type=float, default=0.25, help="cores of other work counted as quiet")
    parser.add_argument("--camera", default="160x120", help="every peer's camera size (default %(default)s)")
    parser.add_argument("--fps", type=int, default=30, help="every peer's camera frame rate (default %(default)s)")
    args = parser.parse_args(argv)
    args.video = VideoFormat.parse(args.camera, args.fps)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
