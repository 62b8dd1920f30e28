"""Crisis handoff benchmark for Steadyline (not part of the test suite; see docs/benchmarks-crisis.md).

In one run against the real app (``steadyline serve`` in its own process, SQLite, loopback only):

* **baseline — core join time**: a client redeems a link, waits in the lobby, is admitted by a
  therapist bot, negotiates SDP and decodes the therapist's first video frame (the join benchmark of
  ``benchmarks/signaling.py``, reused as is);
* **invite → support person's first frame**: in a live crisis, from the therapist's "invite support
  person" request (consented plan contact) through the link redemption, the socket join (straight in
  during a crisis; a bot admits them if they land in the lobby) and SDP, to the support person's first
  decoded video frame from the therapist;
* **relay → packet served**: from the therapist's "relay to responders" request (consent on file,
  confirmed location) to the responder link serving the JSON packet, and the PIDF-LO document.

Each is printed with its ratio to the core join time of the same run. Every loop is bounded.

    .venv/bin/python benchmarks/crisis.py             # 10 runs of each (+1 warm-up)
    .venv/bin/python benchmarks/crisis.py --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
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

from benchmarks.signaling import (  # noqa: E402
    Api, OurServerFactory, camera, describe_machine, loopback_only_ice, run_joins, wait_for_quiet,
)
from loadtest.options import VideoFormat  # noqa: E402

SITUATION = "Synthetic benchmark situation: the client said they are not safe tonight."


@dataclass
class CrisisRun:
    invite_ms: float  # the invite request answered (participant + link made, notifier tried)
    support_in_room_ms: float  # redeemed, socket joined and in the room
    support_first_frame_ms: float  # first decoded video frame from the therapist
    admitted_directly: bool
    relay_ms: float  # the responder-packet request answered
    packet_served_ms: float  # the responder link served the JSON packet
    pidf_served_ms: float  # and the PIDF-LO document
    load_average: float  # the machine's 1-minute load average when the run ended


async def _prepare(api: Api, index: int, helpers) -> dict:
    """A live individual session with a client who has a plan, consents and a confirmed location."""
    session = await api.create_session("individual", f"Crisis run {index}")
    host = await api.host_token(session["id"])
    link = await api.add_client(session["id"], f"Client {index}")
    client_id = link["participant"]["client_id"]
    redeemed = await api.redeem(link["join_url"], 1000 + index)
    plan = await api.call("PUT", f"/api/clients/{client_id}/safety-plan", helpers.plan_body())
    contact = next(c["contact_id"] for s in plan["version"]["sections"] for c in s.get("contacts") or ()
                   if c.get("name") == "Alex Sample")
    for body in ({"party": "support_person", "contact_id": contact, "scope": "invite_to_video"},
                 {"party": "emergency_services", "scope": "share_location_and_situation"}):
        await api.call("POST", f"/api/clients/{client_id}/consents", body, expect=201)
    await api.call("POST", "/api/participant/location", {"at_planned_address": True,
                                                         "geolocation": helpers.NEAR_POINT},
                   token=redeemed["participant_token"], expect=201)
    return {"session": session, "host": host, "client": redeemed, "contact": contact}


async def run_crises(args, ours: OurServerFactory) -> tuple[list[CrisisRun], list[str]]:
    """Every peer (therapist, client, support person) sends ``args.video``, as in the core join."""
    loopback_only_ice()
    from tests.integration.plans import helpers
    from tests.support.rtc_peer import RtcPeer
    from tests.support.world import SocketClient

    async def wait_until(predicate, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("crisis step timed out")
            await asyncio.sleep(0.002)

    server = await ours.start()
    runs: list[CrisisRun] = []
    notes: list[str] = []
    try:
        async with aiohttp.ClientSession() as http:
            api = Api(http, server.url)
            await api.login()
            for index in range(args.runs + 1):  # the first run warms up and is not counted
                scene = await _prepare(api, index, helpers)
                session_id, host_pid = scene["session"]["id"], scene["host"]["participant"]["id"]
                client_pid = scene["client"]["participant"]["id"]
                host, client, support = (SocketClient(server.url) for _ in range(3))
                peers: list[RtcPeer] = []
                admitter: asyncio.Task | None = None
                try:
                    await host.connect(scene["host"]["participant_token"])
                    assert (await host.call("join"))["ok"]
                    await client.connect(scene["client"]["participant_token"])
                    await client.call("join")
                    assert (await host.call("admit", {"participant_id": client_pid}))["ok"]
                    await client.wait_for("admitted", timeout=30)
                    await client.call("join")
                    host_peer = RtcPeer(host, host_pid, camera=camera(args.video))
                    client_peer = RtcPeer(client, client_pid, camera=camera(args.video))
                    peers += [host_peer, client_peer]
                    await client_peer.offer_to(host_pid)
                    await wait_until(lambda: host_pid in client_peer.first_frame_at, 30)
                    crisis = await api.call("POST", f"/api/sessions/{session_id}/crisis", {}, expect=201)
                    cid = crisis["crisis_id"]

                    # invite -> support person's first frame
                    t0 = time.monotonic()
                    invited = await api.call("POST", f"/api/crises/{cid}/support-persons",
                                             {"contact_id": scene["contact"]}, expect=201)
                    t_invite = time.monotonic()
                    support_pid = invited["participant"]["id"]

                    async def admit_when_waiting(pid=support_pid) -> None:
                        await host.wait_for("lobby", lambda d: any(w["participant_id"] == pid
                                                                   for w in d["waiting"]), timeout=30)
                        await host.call("admit", {"participant_id": pid})

                    admitter = asyncio.create_task(admit_when_waiting())
                    redeemed = await api.redeem(invited["join_url"], 2000 + index)
                    await support.connect(redeemed["participant_token"])
                    ack = await support.call("join")
                    direct = ack["state"]["you"]["status"] == "admitted"
                    if not direct:
                        await support.wait_for("admitted", timeout=30)
                        ack = await support.call("join")
                    t_room = time.monotonic()
                    support_peer = RtcPeer(support, support_pid, camera=camera(args.video))
                    peers.append(support_peer)
                    for member in ack["state"]["members"]:
                        if member["participant_id"] != support_pid:
                            await support_peer.offer_to(member["participant_id"])
                    await wait_until(lambda: host_pid in support_peer.first_frame_at, 30)
                    t_frame = support_peer.first_frame_at[host_pid]

                    # relay -> packet served
                    t1 = time.monotonic()
                    made = await api.call("POST", f"/api/crises/{cid}/responder-packet", {"situation": SITUATION},
                                          expect=201)
                    t_relay = time.monotonic()
                    responder = {"Steadyline-Recipient-Name": "Benchmark", "Steadyline-Recipient-Agency": "Dispatch"}
                    await api.call("GET", "/api/responder/packet", token=made["token"], headers=responder)
                    t_packet = time.monotonic()
                    async with http.get(f"{server.url}/api/responder/pidf", headers=responder | {
                            "Authorization": f"Bearer {made['token']}"}) as resp:
                        assert resp.status == 200 and b"<presence" in await resp.read()
                    t_pidf = time.monotonic()

                    ms = lambda a, b: (b - a) * 1000  # noqa: E731
                    run = CrisisRun(invite_ms=ms(t0, t_invite), support_in_room_ms=ms(t0, t_room),
                                    support_first_frame_ms=ms(t0, t_frame), admitted_directly=direct,
                                    relay_ms=ms(t1, t_relay), packet_served_ms=ms(t1, t_packet),
                                    pidf_served_ms=ms(t1, t_pidf), load_average=os.getloadavg()[0])
                    if index > 0:
                        runs.append(run)
                    print(f"  crisis run {index}{' (warm-up, not counted)' if index == 0 else ''}: support "
                          f"person's first frame after {run.support_first_frame_ms:.0f} ms, packet served after "
                          f"{run.packet_served_ms:.0f} ms (load average {run.load_average:.2f})", flush=True)
                    version = (await api.call("GET", f"/api/crises/{cid}"))["version"]
                    for action in ("stabilise", "close"):
                        version = (await api.call("POST", f"/api/crises/{cid}/transitions",
                                                  {"action": action, "expected_version": version}))["version"]
                finally:
                    if admitter is not None:
                        admitter.cancel()
                        await asyncio.gather(admitter, return_exceptions=True)
                    await asyncio.wait_for(asyncio.gather(*(p.close() for p in peers), return_exceptions=True), 15)
                    for sock in (support, client, host):
                        if sock.connected:
                            with contextlib.suppress(Exception):
                                await asyncio.wait_for(sock.disconnect(), 5)
                    with contextlib.suppress(Exception):
                        await api.end(session_id)
    finally:
        server.stop()
    lobby = sum(not r.admitted_directly for r in runs)
    if lobby:
        notes.append(f"in {lobby} of {len(runs)} runs the support person waited in the lobby for the admit bot")
    return runs, notes


def _stats(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def report(core_ms: list[float], runs: list[CrisisRun], loads: list[float]) -> str:
    """The table; ``loads`` are the 1-minute load averages at the end of every run, core joins included."""
    core = statistics.median(core_ms)
    rows = [("core join: link -> first frame (baseline)", core_ms)]
    rows += [(label, [getattr(r, attr) for r in runs]) for label, attr in (
        ("invite -> invite answered", "invite_ms"),
        ("invite -> support person in the room", "support_in_room_ms"),
        ("invite -> support person's first frame", "support_first_frame_ms"),
        ("relay -> packet request answered", "relay_ms"),
        ("relay -> responder link serves JSON", "packet_served_ms"),
        ("relay -> responder link serves PIDF-LO", "pidf_served_ms"),
    )]
    lines = ["| measure | median ms | min | max | × core join |", "|---|---|---|---|---|"]
    for label, values in rows:
        median, low, high = _stats(values)
        lines.append(f"| {label} | {median:.0f} | {low:.0f} | {high:.0f} | {median / core:.2f} |")
    median, low, high = _stats(loads)
    lines.append(f"| load average (1 min) at each run's end | {median:.2f} | {low:.2f} | {high:.2f} | |")
    return "\n".join(lines)


async def main_async(args) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="steadyline-crisis-bench-"))
    ours = OurServerFactory(workdir)
    began = time.monotonic()
    print(f"Machine: {describe_machine()}", flush=True)
    try:
        await wait_for_quiet(args.quiet_wait, args.max_background)
        print(f"Core join: {args.runs} runs (+1 warm-up) ...", flush=True)
        joins = await run_joins(argparse.Namespace(join_runs=args.runs), ours, args.video)
        print(f"Crisis: {args.runs} runs (+1 warm-up) ...", flush=True)
        runs, notes = await run_crises(args, ours)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(f"Crisis handoff against the core join time, {len(runs)} runs each (aiortc VP8, every peer "
          f"{args.video.label}, loopback)")
    print(report([j.first_frame_ms for j in joins], runs, [j.load_average for j in joins] + [r.load_average for r in runs]))
    for note in notes:
        print(f"note: {note}")
    print(f"\nTotal wall time {time.monotonic() - began:.0f} s.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="measured runs of each kind")
    parser.add_argument("--camera", default="160x120", help="every peer's camera size (default %(default)s)")
    parser.add_argument("--fps", type=int, default=30, help="every peer's camera frame rate (default %(default)s)")
    parser.add_argument("--quiet-wait", type=float, default=8, help="seconds to wait for a quiet machine")
    parser.add_argument("--max-background", type=float, default=0.25, help="cores of other work counted as quiet")
    args = parser.parse_args(argv)
    args.video = VideoFormat.parse(args.camera, args.fps)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
