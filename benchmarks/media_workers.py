"""Media worker benchmarks (not part of the test suite; see docs/benchmarks-signaling.md).

1. Isolation. One ``steadyline serve`` process relays ``signal`` messages for K Socket.IO clients in
   rooms of two (benchmarks/signaling.py's relay fleet: clients in their own process, one-way latency
   from send to delivery). Windows are measured with no group call, then with a 12-person group call
   running through the server's SFU (12 real aiortc peers in another process, each publishing video and
   audio and receiving everyone else), then with none again. The figure: the relay's p99 with the call
   over its p99 without (target at most 1.5×), for each ``STEADYLINE_MEDIA_WORKERS`` setting asked for
   (default: unset — one worker per spare core — and 0, the room on the signalling loop, for contrast).

2. Rebuild time. A group call on a server with two media workers; the worker holding the room (the
   child process using CPU) is killed with SIGKILL; the time from the kill until every member receives
   every other member's video again on the rebuilt room. Repeated; p50 / p95.

Everything is on 127.0.0.1; the machine's load average is printed with every figure. The call's members
stand in for browsers on other machines, so they are made as light as they can be (pre-encoded media,
frames counted from RTP headers: see ``clip_media``) and run under ``SCHED_IDLE`` by default: they take
only CPU time that neither the server nor the relay clients want. The call's frame rate is printed
beside the ratio; a call that did not run at its full rate makes the figure not valid.

    .venv/bin/python benchmarks/media_workers.py                    # both parts
    .venv/bin/python benchmarks/media_workers.py --skip-rebuild --configs auto
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402

from benchmarks.signaling import (  # noqa: E402
    Api,
    OurServerFactory,
    RelayFleet,
    Window,
    describe_machine,
    loopback_only_ice,
    machine_steal,
    percentile,
    process_cpu_seconds,
    wait_for_quiet,
)


class WorkerServerFactory(OurServerFactory):
    """``steadyline serve`` with ``STEADYLINE_MEDIA_WORKERS`` set (``None``: unset, the default)."""

    def __init__(self, workdir: Path, media_workers: int | None) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        super().__init__(workdir)
        self.media_workers = media_workers

    def env(self, port: int) -> dict[str, str]:
        env = super().env(port)
        if self.media_workers is not None:
            env["STEADYLINE_MEDIA_WORKERS"] = str(self.media_workers)
        return env


def children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as listing:
                found += [int(child) for child in listing.read().split()]
    return found


def cpu_of(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            total += process_cpu_seconds(pid)
    return total


# ---------------------------------------------------------------------------------------------
# The group call: real aiortc members in their own process


async def prepare_group(url: str, size: int) -> dict:
    """A group session with a host token and ``size - 1`` redeemed client links."""
    async with aiohttp.ClientSession() as http:
        api = Api(http, url)
        await api.login()
        session = await api.create_session("group", "Media worker bench")
        host = await api.host_token(session["id"])
        clients = []
        for index in range(size - 1):
            link = await api.add_client(session["id"], f"Member {index}")
            redeemed = await api.redeem(link["join_url"], 1000 + index)
            clients.append((redeemed["participant"]["id"], redeemed["participant_token"]))
        return {"session_id": session["id"], "host": (host["participant"]["id"], host["participant_token"]),
                "clients": clients}


def clip_media():
    """What each member publishes: a tile of a 12-person grid (320×240 VP8 at 30 fps) and Opus in 20 ms
    packets, both pre-encoded (``loadtest --light``'s media, as benchmarks/sfu.py's group). Twelve browsers
    each encode and decode on their own machine; here the call's members share this one, so they encode
    nothing and count what they receive from RTP headers (``loadtest.header_counter``) — otherwise the
    members, not the server, would set the call's frame rate (1.9 fps per stream measured with decoding
    peers)."""
    from benchmarks.sfu import GROUP_HEIGHT, GROUP_WIDTH
    from loadtest.options import VideoFormat
    from loadtest.synthetic_media import LightMedia

    return LightMedia(VideoFormat(GROUP_WIDTH, GROUP_HEIGHT, CALL_FPS)).add_to


async def admit_everyone(url: str, group: dict) -> None:
    """Admit every client once (the host's socket, here): admission is durable, so the members'
    own processes then join straight into the call."""
    from tests.support.world import SocketClient

    host = SocketClient(url)
    sockets = [host]
    try:
        await host.connect(group["host"][1])
        await host.call("join")
        for pid, token in group["clients"]:
            sock = SocketClient(url)
            sockets.append(sock)
            await sock.connect(token)
            await sock.call("join")
            await host.wait_for("lobby", lambda d, pid=pid: any(w["participant_id"] == pid for w in d["waiting"]))
            assert (await host.call("admit", {"participant_id": pid}))["ok"]
            await sock.wait_for("admitted")
    finally:
        await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)


async def _members(url: str, mine: list[tuple[str, str]], everyone: list[str], conn) -> None:
    """This process's share of the call's members: join, publish, receive everyone; then answer the
    parent (frames so far; wait for a rebuild; stop)."""
    loopback_only_ice()
    media = clip_media()
    from tests.support.sfu_peer import SfuPeer
    from tests.support.world import SocketClient

    loop = asyncio.get_running_loop()
    sockets: list[SocketClient] = []
    peers: dict[str, SfuPeer] = {}

    async def all_receive_all(timeout: float) -> float:
        await asyncio.gather(*(p.wait_frames([o for o in everyone if o != pid], count=1, timeout=timeout)
                               for pid, p in peers.items()))
        return max(max(p.first_frame_at.values()) for p in peers.values())

    try:
        for pid, token in mine:
            sock = SocketClient(url)
            sockets.append(sock)
            await sock.connect(token)
            assert (await sock.call("join"))["state"]["you"]["status"] == "admitted"
            peers[pid] = SfuPeer(sock, pid, media, count_headers=True)
        for peer in peers.values():
            await peer.publish()
        try:
            conn.send(("ready", await all_receive_all(120)))
        except AssertionError:  # a machine too busy to carry the whole call: go on, the fps will say so
            conn.send(("ready", float("nan")))
        for _ in range(100):  # bounded; the parent says "stop"
            if not await loop.run_in_executor(None, conn.poll, 1800):
                break
            command = conn.recv()
            if command[0] == "frames":  # video frames received so far, by these members from everyone
                conn.send(("frames", sum(n for p in peers.values() for (_, kind), n in p.frames.items()
                                         if kind == "video"), time.monotonic()))
                continue
            if command[0] != "await_rebuild":
                break
            resets = command[1]
            deadline = time.monotonic() + 60
            while not all(len(p.resets) > resets for p in peers.values()) and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            try:
                conn.send(("rebuilt", await all_receive_all(60)))
            except AssertionError as error:
                conn.send(("failed", str(error)[-1500:]))
    finally:
        await asyncio.gather(*(p.close() for p in peers.values()), return_exceptions=True)
        await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)


def members_entry(url: str, mine: list, everyone: list, conn, idle: bool, cpus: set[int] | None) -> None:
    import logging

    logging.disable(logging.WARNING)
    if idle:  # the call's members stand in for browsers on other machines: they yield to the server at once
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    if cpus:
        os.sched_setaffinity(0, cpus)
    asyncio.run(_members(url, mine, everyone, conn))


class GroupCall:
    """The call's members, spread over ``processes`` processes."""

    def __init__(self, url: str, group: dict, idle: bool = True, processes: int = 3,
                 cpus: set[int] | None = None) -> None:
        self.url, self.group = url, group
        members = [group["host"], *group["clients"]]
        everyone = [pid for pid, _ in members]
        ctx = mp.get_context("spawn")
        self.pipes, self.processes = [], []
        for index in range(max(1, min(processes, len(members)))):
            parent, child = ctx.Pipe()
            self.pipes.append(parent)
            self.processes.append(ctx.Process(target=members_entry, daemon=True,
                                              args=(url, members[index::processes], everyone, child, idle, cpus)))
        self.resets = 0

    async def _gather(self, timeout: float, expect: str) -> list:
        async def one(pipe):
            if not await asyncio.get_running_loop().run_in_executor(None, pipe.poll, timeout):
                raise RuntimeError("a process of the group call did not answer in time")
            message = pipe.recv()
            if message[0] != expect:
                raise RuntimeError(f"group call: {message}")
            return message
        return await asyncio.gather(*(one(pipe) for pipe in self.pipes))

    async def start(self) -> float:
        await admit_everyone(self.url, self.group)
        for process in self.processes:
            process.start()
        return max(message[1] for message in await self._gather(180, "ready"))

    async def video_frames(self) -> tuple[int, float]:
        """(video frames received by every member from every other so far, when)."""
        for pipe in self.pipes:
            pipe.send(("frames",))
        replies = await self._gather(30, "frames")
        return sum(m[1] for m in replies), max(m[2] for m in replies)

    async def rebuilt(self) -> float:
        for pipe in self.pipes:
            pipe.send(("await_rebuild", self.resets))
        self.resets += 1
        return max(message[1] for message in await self._gather(120, "rebuilt"))

    async def stop(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(("stop",))
        for process in self.processes:
            await asyncio.get_running_loop().run_in_executor(None, process.join, 30)
            if process.is_alive():
                process.terminate()
                process.join(5)


# ---------------------------------------------------------------------------------------------
# 1. Isolation


def fleet_args(args) -> argparse.Namespace:
    return argparse.Namespace(probe=False, workers=1, rate=args.rate, warmup=args.warmup, duration=args.duration,
                              rounds=args.rounds * 3, retries=0)


def pin(args, server_pid: int, relay_pids: list[int]) -> set[int] | None:
    """With ``--pin``: the signalling process and the relay clients measuring it on the first core, the media
    workers and the call's members on the others — a server with a core for signalling and one per media
    worker, its load generator elsewhere, as far as one small machine can stand in for that. The media
    cores, or None unpinned."""
    cores = sorted(os.sched_getaffinity(0))
    if not args.pin or len(cores) < 2:
        return None
    signalling, media = {cores[0]}, set(cores[1:])
    for pid in (server_pid, *relay_pids):
        os.sched_setaffinity(pid, signalling)
    for pid in children(server_pid):
        os.sched_setaffinity(pid, media)
    return media


def pooled_p99(windows: list[Window]) -> float:
    return percentile(sorted(v for w in windows for v in w.latencies_description + w.latencies_candidate), 0.99) * 1e-6


async def isolation(args, workdir: Path, setting: int | None) -> dict:
    label = "unset (one per spare core)" if setting is None else str(setting)
    print(f"Isolation, STEADYLINE_MEDIA_WORKERS={label}: {args.k} relay clients at {args.rate:g} msg/s, "
          f"a {args.room_size}-person group call", flush=True)
    factory = WorkerServerFactory(workdir / f"workers-{setting}", setting)
    fleet = RelayFleet("ours", args.k)
    fargs = fleet_args(args)
    windows: dict[str, list[Window]] = {"before": [], "call": [], "after": []}
    worker_cpu: list[float] = []
    steal: list[float] = []
    call = None
    try:
        await fleet.start(fargs, factory.workdir, factory)
        server_pid = fleet.server.process.pid
        media_cpus = pin(args, server_pid, [p.pid for p in fleet.processes])

        async def measure(phase: str, number: int) -> None:
            await wait_for_quiet(args.quiet_wait, 0.25)
            workers = children(server_pid)
            before, stolen = cpu_of(workers), machine_steal()
            window = await fleet.measure(fargs, number)
            spent = (cpu_of(workers) - before) / args.duration
            stolen_after = machine_steal()
            steal.append((stolen_after[0] - stolen[0]) / max(1, stolen_after[1] - stolen[1]))
            windows[phase].append(window)
            worker_cpu.append(spent) if phase == "call" else None
            print(f"  {phase:<6} p50 {window.p50_ms:6.2f} ms  p99 {window.p99_ms:6.2f} ms  delivered "
                  f"{window.delivered}/{window.sent}  signalling process CPU {window.server_cpu_s / args.duration:4.0%}"
                  f"  media workers CPU {spent:4.0%}  load average {window.load_average:.2f}"
                  f"  CPU steal {steal[-1]:.0%}", flush=True)

        for number in range(args.rounds):
            await measure("before", number)
        group = await prepare_group(fleet.server.url, args.room_size)
        call = GroupCall(fleet.server.url, group, args.call_priority == "idle", args.call_processes, media_cpus)
        began = time.monotonic()
        await call.start()
        print(f"  the {args.room_size}-person call is up after {time.monotonic() - began:.1f} s", flush=True)
        await asyncio.sleep(args.settle)
        frames0, at0 = await call.video_frames()
        for number in range(args.rounds):
            await measure("call", number)
        frames1, at1 = await call.video_frames()
        call_fps = (frames1 - frames0) / (at1 - at0) / (args.room_size * (args.room_size - 1))
        print(f"  the call meanwhile: {call_fps:.1f} fps per forwarded video stream "
              f"({args.room_size * (args.room_size - 1)} streams; each camera sends {CALL_FPS})", flush=True)
        await call.stop()
        call = None
        await asyncio.sleep(args.settle)
        for number in range(args.rounds):
            await measure("after", number)
    finally:
        if call is not None:
            await call.stop()
        await fleet.stop()
    without = pooled_p99(windows["before"] + windows["after"])
    with_call = pooled_p99(windows["call"])
    loads = [w.load_average for ws in windows.values() for w in ws]
    median_without = statistics.median(w.p99_ms for w in windows["before"] + windows["after"])
    median_call = statistics.median(w.p99_ms for w in windows["call"])
    return {"setting": label, "placement": "pinned" if media_cpus else "kernel",
            "median_ratio": median_call / median_without if median_without else float("nan"),
            "p99_without_ms": without, "p99_with_call_ms": with_call,
            "ratio": with_call / without if without else float("nan"),
            "worker_cpu": statistics.mean(worker_cpu) if worker_cpu else 0.0, "call_fps": call_fps,
            "signalling_cpu_call": statistics.mean(w.server_cpu_s / args.duration for w in windows["call"]),
            "load_min": min(loads), "load_max": max(loads), "steal_max": max(steal)}


# ---------------------------------------------------------------------------------------------
# 2. Rebuild time


async def rebuild(args, workdir: Path) -> list[float]:
    print(f"Rebuild: a {args.rebuild_size}-person call on a server with 2 media workers; the room's worker "
          f"killed (SIGKILL) {args.rebuild_runs} times", flush=True)
    factory = WorkerServerFactory(workdir / "rebuild", 2)
    server = await factory.start()
    times: list[float] = []
    call = None
    try:
        group = await prepare_group(server.url, args.rebuild_size)
        call = GroupCall(server.url, group, args.call_priority == "idle", args.call_processes)
        await call.start()
        for run in range(args.rebuild_runs):
            await asyncio.sleep(2.0)
            workers = children(server.process.pid)
            before = {pid: cpu_of([pid]) for pid in workers}
            await asyncio.sleep(1.0)
            busy = max(workers, key=lambda pid: cpu_of([pid]) - before[pid])
            killed = time.monotonic()
            os.kill(busy, signal.SIGKILL)
            rebuilt = await call.rebuilt()
            times.append(rebuilt - killed)
            print(f"  run {run + 1}: worker {busy} killed; everyone receives everyone again after "
                  f"{rebuilt - killed:.2f} s (load average {os.getloadavg()[0]:.2f})", flush=True)
            await asyncio.sleep(2.0)  # the replacement worker starts
    finally:
        if call is not None:
            await call.stop()
        server.stop()
    return times


CALL_FPS = 30
VALID_CALL_FPS = 0.9 * CALL_FPS  # a call that ran slower did less work than the one the target is about


def verdict(result: dict, args) -> str:
    if result["call_fps"] < VALID_CALL_FPS:
        return f"NOT VALID (the call ran at {result['call_fps']:.1f} of {CALL_FPS} fps)"
    return "✓" if result["median_ratio"] <= args.target else "✗"  # judged on the windows' median


async def main_async(args) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="steadyline-mw-bench-"))
    print(f"Machine: {describe_machine()}", flush=True)
    results = []
    times: list[float] = []
    try:
        if not args.skip_isolation:
            for setting in args.configs:
                results.append(await isolation(args, workdir, setting))
        if not args.skip_rebuild and args.rebuild_runs:
            times = await rebuild(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    if results:
        print(f"Relay p99 of the other rooms with a {args.room_size}-person call running vs none (same process, "
              f"same run; target ≤ {args.target:g}×)")
        print("A window disturbed by something else on the machine moves the pooled p99 of its phase; the verdict "
              "is on the median of the windows' own p99s.")
        print("| STEADYLINE_MEDIA_WORKERS | cores | p99 no call | p99 with call | pooled ratio "
              "| median window p99 ratio | signalling CPU (call) "
              "| workers CPU (call) | call fps per stream | load average | CPU steal (worst window) |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in results:
            print(f"| {r['setting']} | {r['placement']} | {r['p99_without_ms']:.2f} ms | "
                  f"{r['p99_with_call_ms']:.2f} ms | "
                  f"{r['ratio']:.2f}× | {r['median_ratio']:.2f}× {verdict(r, args)} | {r['signalling_cpu_call']:.0%} | "
                  f"{r['worker_cpu']:.0%} | {r['call_fps']:.1f} | {r['load_min']:.2f}–{r['load_max']:.2f} | "
                  f"{r['steal_max']:.0%} |")
        print()
    if times:
        ordered = sorted(times)
        print(f"Rebuild after kill -9 of the room's worker, {len(times)} runs: p50 {percentile(ordered, 0.5):.2f} s, "
              f"p95 {percentile(ordered, 0.95):.2f} s, max {ordered[-1]:.2f} s (target p95 < 5 s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", default="auto,0",
                        help="STEADYLINE_MEDIA_WORKERS settings to measure, comma-separated (auto = unset)")
    parser.add_argument("--k", type=int, default=50, help="relay clients (rooms of two)")
    parser.add_argument("--rate", type=float, default=10.0, help="messages per second per relay client")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=8.0, help="measured seconds per window")
    parser.add_argument("--rounds", type=int, default=3, help="windows per phase (before, with the call, after)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds after the call starts / ends")
    parser.add_argument("--room-size", type=int, default=12)
    parser.add_argument("--rebuild-size", type=int, default=12, help="members of the call killed under")
    parser.add_argument("--rebuild-runs", type=int, default=10)
    parser.add_argument("--call-priority", choices=("idle", "normal"), default="idle",
                        help="scheduling of the group call's members: idle (SCHED_IDLE; they stand in for browsers "
                             "elsewhere) or normal")
    parser.add_argument("--call-processes", type=int, default=3, help="processes the call's members are spread over")
    parser.add_argument("--pin", action=argparse.BooleanOptionalAction, default=True,
                        help="signalling and its relay clients on the first core, media workers and the call on "
                             "the others (default; --no-pin leaves placement to the kernel)")
    parser.add_argument("--quiet-wait", type=float, default=5)
    parser.add_argument("--target", type=float, default=1.5)
    parser.add_argument("--skip-isolation", action="store_true")
    parser.add_argument("--skip-rebuild", action="store_true")
    args = parser.parse_args(argv)
    args.configs = [None if c == "auto" else int(c) for c in args.configs.split(",") if c]
    if args.k < 2 or args.k % 2 or not 2 <= args.room_size <= 12 or not 0 <= args.rebuild_runs <= 30:
        parser.error("K even and at least 2; --room-size 2..12; --rebuild-runs 0..30")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
