"""Benchmark: forwarding SFU (media.MediaRoom) against aiortc's MediaRelay.

One publisher (640x480, 30 fps, real VP8 at ~1.4 Mbps) is received by N
subscribers, N in 1, 4, 8, 16, 32, 64, in two modes:

- ``sfu``: media.MediaRoom forwards the encoded frames (no codec work);
- ``relay``: aiortc's usual fan-out: decode once, ``MediaRelay``, and one
  VP8 encoder per subscriber.

Then a 12-person group through MediaRoom: each member publishes audio (Opus,
20 ms packets) and video (a tile of a 12-person grid: 320x240 VP8 at 30 fps,
``--group-video 640x480`` for full size) and receives the 11 others;
``--group-sizes 4,8,12,24`` measures a scaling table of such groups.

Streams per core are printed two ways: marginal (the slope of server CPU
between the smallest and the largest N: what one more subscriber costs) and
all-in (N streams over the server's whole CPU at the largest N: the
publisher's intake and every fixed cost counted). Every run prints the
machine's 1-minute load average at the end of its window.

Processes: the server side runs alone in a child process and its CPU time is
read from ``/proc/<pid>/stat`` (user + system, all threads). Publisher and
subscribers run in other processes ("workers"); subscribers count complete
frames from the RTP headers, which SRTP leaves in the clear
(``loadtest.header_counter``: no decryption, no receive path), so two worker
processes can take the whole output of a 24-person group; the first subscriber
of each worker instead takes every stream's encoded frames with the SFU's lean
receive path (``media.ReceiverTap``: decrypted, authenticated, depacketised)
and decodes one publisher's video, to check that what is forwarded decodes.
Everything is on loopback.

Run: ``python benchmarks/sfu.py`` (about 4 minutes) or ``--quick`` (N up to
8, shorter windows). ``--json PATH`` writes the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import av  # noqa: E402
from aiortc import (  # noqa: E402
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.contrib.media import MediaRelay  # noqa: E402

from loadtest.clips import FPS, ClipTrack, VoiceTrack, bitrate_for, encode_clip, encode_voice  # noqa: E402
from loadtest.header_counter import HeaderCounter  # noqa: E402
from loadtest.receive_buffers import enlarge_receive_buffers  # noqa: E402
from media import MediaRoom, datagram_batch  # noqa: E402
from media.encoded_frame import EncodedFrame  # noqa: E402
from media.receiver_tap import ReceiverTap  # noqa: E402

WIDTH, HEIGHT, BITRATE = 640, 480, 1_400_000
# The 12-person group: every participant sends a tile of a 12-person grid (and audio).
GROUP_WIDTH, GROUP_HEIGHT = 320, 240
MIN_FPS_RATIO = 0.97  # a subscriber below this share of the publisher's fps: the run's CPU describes less work
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- media


def new_pc() -> RTCPeerConnection:
    return RTCPeerConnection(RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))


# --------------------------------------------------------------------------- signalling


async def send(writer: asyncio.StreamWriter, message: dict) -> None:
    writer.write((json.dumps(message) + "\n").encode())
    await writer.drain()


# --------------------------------------------------------------------------- server


class Connections:
    """Routes server offers to the worker connection of each participant."""

    def __init__(self) -> None:
        self.writers: dict[str, asyncio.StreamWriter] = {}

    async def offer(self, pid: str, sdp: str) -> None:
        await send(self.writers[pid], {"op": "offer", "pid": pid, "sdp": sdp})


class SfuServer:
    def __init__(self, connections: Connections) -> None:
        self.room = MediaRoom("bench", on_offer=connections.offer)

    async def join(self, pid: str, sdp: str) -> str:
        return await self.room.handle_offer(pid, sdp)

    async def answer(self, pid: str, sdp: str) -> None:
        await self.room.handle_answer(pid, sdp)

    def forwarded(self) -> int | None:
        """Video frames handed to subscribers' senders so far (all video subscriptions)."""
        return sum(s.forwarded for s in self.room.stats().subscriptions if s.kind == "video")


class RelayServer:
    """aiortc's documented fan-out: decode once, re-encode per subscriber."""

    def __init__(self, connections: Connections) -> None:
        self.relay = MediaRelay()
        self.source: asyncio.Future[MediaStreamTrack] = asyncio.get_running_loop().create_future()
        self.pcs: list[RTCPeerConnection] = []

    async def join(self, pid: str, sdp: str) -> str:
        pc = new_pc()
        self.pcs.append(pc)
        if pid == "publisher":
            pc.on("track", lambda track: self.source.done() or self.source.set_result(track))
            await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        else:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
            pc.addTrack(self.relay.subscribe(await self.source))
        await pc.setLocalDescription(await pc.createAnswer())
        return pc.localDescription.sdp

    async def answer(self, pid: str, sdp: str) -> None:
        raise RuntimeError("the relay server never offers")

    def forwarded(self) -> int | None:
        return None


def server_main(mode: str, port_queue: mp.Queue, stats_requests: mp.Queue, stats_replies: mp.Queue) -> None:
    asyncio.run(serve(mode, port_queue, stats_requests, stats_replies))


async def serve(mode: str, port_queue: mp.Queue, stats_requests: mp.Queue, stats_replies: mp.Queue) -> None:
    """Serve until killed: the orchestrator reads this process's CPU time."""
    connections = Connections()
    if mode == "sfu-python":  # ours without the C send path (media._fanout), for comparison
        datagram_batch.NATIVE = False
    server = SfuServer(connections) if mode.startswith("sfu") else RelayServer(connections)
    tasks: set[asyncio.Task] = set()

    async def handle(message: dict, writer: asyncio.StreamWriter) -> None:
        if message["op"] == "join":
            connections.writers[message["pid"]] = writer
            answer = await server.join(message["pid"], message["sdp"])
            await send(writer, {"op": "answer", "pid": message["pid"], "sdp": answer})
        elif message["op"] == "answer":
            await server.answer(message["pid"], message["sdp"])

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := await reader.readline():
            task = asyncio.ensure_future(handle(json.loads(line), writer))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    tcp = await asyncio.start_server(on_client, "127.0.0.1", 0, limit=2**22)
    port_queue.put(tcp.sockets[0].getsockname()[1])
    loop = asyncio.get_running_loop()
    while True:  # the orchestrator asks at the start and end of its window
        await loop.run_in_executor(None, stats_requests.get)
        stats_replies.put((time.monotonic(), server.forwarded()))


# --------------------------------------------------------------------------- clients


@dataclass
class Received:
    first_frame: float | None = None
    times: list[float] = field(default_factory=list)
    decode_errors: int = 0


class Participant:
    def __init__(self, pid: str, clip: list[bytes] | None, voice: list[bytes] | None, decode: bool) -> None:
        self.pid = pid
        self.pc = new_pc()
        self.track = ClipTrack(clip) if clip else None
        self.voice = VoiceTrack(voice) if voice else None
        self.decode = decode
        self.decoded_publisher: str | None = None
        self.received: dict[str, Received] = {}  # video frames per publisher
        self.heard: dict[str, Received] = {}  # audio packets per publisher
        self.mid_publisher: dict[str, str] = {}
        self.taps: list[ReceiverTap] = []
        self.headers: HeaderCounter | None = None  # every subscriber but the decoding one counts headers only
        self.join_started = 0.0
        self.pc.on("track", self.on_track)

    def count_headers(self) -> None:
        """After ``setLocalDescription``: count frames from RTP headers instead of tapping tracks."""
        if not self.decode:
            self.headers = HeaderCounter(self.pc, self.count)

    def learn(self, sdp: str) -> None:
        """The server's offer or answer: which publisher each stream carries."""
        from aiortc import sdp as aiortc_sdp
        for media in aiortc_sdp.SessionDescription.parse(sdp).media:
            if media.msid:
                self.mid_publisher[media.rtp.muxId] = media.msid.split()[0]
        if self.headers is not None:
            self.headers.learn(sdp)

    def count(self, publisher: str, kind: str, now: float) -> None:
        stats = (self.received if kind == "video" else self.heard).setdefault(publisher, Received())
        if stats.first_frame is None:
            stats.first_frame = now - self.join_started
        stats.times.append(now)

    def offer_media(self) -> None:
        if self.voice is not None:
            self.pc.addTransceiver(self.voice, direction="sendonly")
        if self.track is not None:
            sender = self.pc.addTransceiver(self.track, direction="sendonly").sender
            self.track.answer_keyframe_requests(sender)
        else:
            self.pc.addTransceiver("video", direction="recvonly")

    def on_track(self, track: MediaStreamTrack) -> None:
        if self.headers is not None:
            return
        transceiver = next(t for t in self.pc.getTransceivers() if t.receiver.track is track)
        decoder: dict[str, av.CodecContext | None] = {"codec": None}

        def sink(frame: EncodedFrame) -> None:
            publisher = self.mid_publisher.get(transceiver.mid, "publisher")
            self.count(publisher, frame.kind, time.monotonic())
            stats = (self.received if frame.kind == "video" else self.heard)[publisher]
            if self.decode and frame.kind == "video" and self.decoded_publisher in (None, publisher):
                self.decoded_publisher = publisher  # one stream: 23 decoders at 640x480 would need a core
                decoder["codec"] = decoder["codec"] or av.CodecContext.create("vp8", "r")
                try:
                    decoder["codec"].decode(av.Packet(frame.data))
                except av.FFmpegError:
                    stats.decode_errors += 1

        # The decoding subscriber takes encoded frames with the SFU's own lean receive path
        # (media.ReceiverTap, after the jitter buffer) and decodes the first publisher's video.
        self.taps.append(ReceiverTap(transceiver.receiver, track.kind, sink))


async def run_worker(port: int, pids: list[str], publishers: set[str], decode_first: bool,
                     clip: list[bytes] | None, voice: list[bytes] | None, stagger: float, results: mp.Queue,
                     control: mp.Queue) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**22)
    participants = {
        pid: Participant(pid, clip if pid in publishers else None, voice if pid in publishers else None,
                         decode_first and i == 0)
        for i, pid in enumerate(pids)
    }
    answers: dict[str, asyncio.Future[str]] = {}
    loop = asyncio.get_running_loop()

    async def on_offer(participant: Participant, sdp: str) -> None:
        participant.learn(sdp)
        await participant.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        await participant.pc.setLocalDescription(await participant.pc.createAnswer())
        await send(writer, {"op": "answer", "pid": participant.pid, "sdp": participant.pc.localDescription.sdp})

    async def read() -> None:
        while line := await reader.readline():
            message = json.loads(line)
            if message["op"] == "answer":
                answers[message["pid"]].set_result(message["sdp"])
            elif message["op"] == "offer":
                asyncio.ensure_future(on_offer(participants[message["pid"]], message["sdp"]))

    reading = asyncio.ensure_future(read())
    for participant in participants.values():
        participant.join_started = time.monotonic()
        participant.offer_media()
        await participant.pc.setLocalDescription(await participant.pc.createOffer())
        # six participants share one load-generator loop: without 4 MB receive buffers its
        # stalls lose packets a real client, in its own process, would read
        enlarge_receive_buffers(participant.pc)
        participant.count_headers()
        answers[participant.pid] = loop.create_future()
        await send(writer, {"op": "join", "pid": participant.pid, "sdp": participant.pc.localDescription.sdp})
        answer = await answers[participant.pid]
        participant.learn(answer)
        await participant.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        await asyncio.sleep(stagger)
    results.put(("joined", os.getpid()))
    window = await loop.run_in_executor(None, control.get)  # (start, end) monotonic
    await asyncio.sleep(max(0.0, window[1] - time.monotonic()) + 0.05)
    report = {}
    for participant in participants.values():
        for publisher, stats in participant.received.items():
            frames = sum(1 for t in stats.times if window[0] <= t < window[1])
            report[f"{participant.pid}<-{publisher}"] = {
                "fps": frames / (window[1] - window[0]),
                "first_frame": stats.first_frame,
                "decode_errors": stats.decode_errors,
                "decoded": participant.decode,
            }
        for publisher, stats in participant.heard.items():
            packets = sum(1 for t in stats.times if window[0] <= t < window[1])
            report[f"{participant.pid}<~{publisher}"] = {"pps": packets / (window[1] - window[0])}
        if participant.track is not None:
            report[f"{participant.pid}:sent"] = {"fps": participant.track.sent / (time.monotonic() - participant.track.start)}
    results.put(("report", report))
    await loop.run_in_executor(None, control.get)  # quit
    reading.cancel()
    for participant in participants.values():
        for tap in participant.taps:
            tap.close()
        await participant.pc.close()
    writer.close()


def worker_main(idle: bool, *args) -> None:
    if idle:  # stands in for clients on other machines: only CPU time the server does not want
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    asyncio.run(run_worker(*args))


# --------------------------------------------------------------------------- orchestration


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


@dataclass
class RunResult:
    mode: str
    subscribers: int
    publishers: int
    streams: int
    server_cores: float
    client_cores: float
    cpu_per_stream_ms: float
    publisher_fps: float
    min_fps: float
    mean_fps: float
    min_ratio: float
    ttff_median: float | None
    ttff_max: float | None
    decode_errors: int
    decoded_frames_checked: bool
    server_forwarded_fps: float | None = None  # per stream, counted by MediaRoom in the window
    audio_streams: int = 0
    audio_min_pps: float | None = None  # Opus packets per second received per stream (50 sent)
    audio_mean_pps: float | None = None
    load_average: float = 0.0  # the machine's 1-minute load average at the end of the window


def split(items: list[str], parts: int) -> list[list[str]]:
    return [items[i::parts] for i in range(parts) if items[i::parts]]


def run(mode: str, subscribers: int, clip: list[bytes], seconds: float, warmup: float,
        group: int = 0, voice: list[bytes] | None = None, idle_generator: bool = False) -> RunResult:
    ctx = mp.get_context("spawn")
    port_queue, results, stats_requests, stats_replies = ctx.Queue(), ctx.Queue(), ctx.Queue(), ctx.Queue()
    server = ctx.Process(target=server_main, args=(mode, port_queue, stats_requests, stats_replies), daemon=True)
    server.start()
    port = port_queue.get(timeout=30)
    if group:
        pids = [f"m{i}" for i in range(group)]
        publishers = set(pids)
        layout = [(chunk, True) for chunk in split(pids, 2)]
    else:
        subs = [f"s{i}" for i in range(subscribers)]
        publishers = {"publisher"}
        workers_n = 1 if subscribers <= 8 else 2
        layout = [(["publisher"], False)] + [(chunk, True) for chunk in split(subs, workers_n)]
    controls, procs = [], []
    for index, (pids, decode_first) in enumerate(layout):
        control = ctx.Queue()
        stagger = 0.02 if mode.startswith("sfu") else 0.0
        proc = ctx.Process(target=worker_main, daemon=True, args=(
            idle_generator and bool(group), port, pids, publishers & set(pids), decode_first, clip, voice, stagger,
            results, control))
        proc.start()
        controls.append(control)
        procs.append(proc)
        if index == 0 and not group:
            first = results.get(timeout=60)  # the publisher joins first
            assert first[0] == "joined"
    expected = len(layout) - (0 if group else 1)
    worker_pids = [results.get(timeout=180)[1] for _ in range(expected)]
    worker_pids.append(procs[0].pid)
    time.sleep(warmup)
    start = time.monotonic()
    stats_requests.put("stats")
    forwarded0 = stats_replies.get(timeout=30)
    cpu0, ccpu0 = cpu_seconds(server.pid), sum(cpu_seconds(p.pid) for p in procs)
    window = (start, start + seconds)
    for control in controls:
        control.put(window)
    time.sleep(max(0.0, window[1] - time.monotonic()))
    cpu1, ccpu1 = cpu_seconds(server.pid), sum(cpu_seconds(p.pid) for p in procs)
    load_average = os.getloadavg()[0]
    stats_requests.put("stats")
    forwarded1 = stats_replies.get(timeout=30)
    report: dict = {}
    for _ in controls:
        kind, part = results.get(timeout=60)
        report.update(part)
    for control in controls:
        control.put("quit")
    for proc in procs:
        proc.join(timeout=20)
        if proc.is_alive():
            proc.kill()
    server.kill()
    server.join()
    received = {k: v for k, v in report.items() if "<-" in k}
    heard = [v["pps"] for k, v in report.items() if "<~" in k]
    sent = [v["fps"] for k, v in report.items() if k.endswith(":sent")]
    publisher_fps = sum(sent) / len(sent) if sent else 0.0
    fps = [v["fps"] for v in received.values()]
    ttff = sorted(v["first_frame"] for v in received.values() if v["first_frame"] is not None)
    streams = len(received)
    server_cores = (cpu1 - cpu0) / seconds
    missing = (group * (group - 1) if group else subscribers) - streams
    fps += [0.0] * max(0, missing)
    return RunResult(
        mode=mode, subscribers=subscribers if not group else group, publishers=len(publishers),
        streams=max(streams, streams + missing), server_cores=server_cores,
        client_cores=(ccpu1 - ccpu0) / seconds,
        cpu_per_stream_ms=1000 * server_cores / max(1, streams + missing),
        publisher_fps=publisher_fps, min_fps=min(fps) if fps else 0.0,
        mean_fps=sum(fps) / len(fps) if fps else 0.0,
        min_ratio=(min(fps) / publisher_fps) if fps and publisher_fps else 0.0,
        ttff_median=ttff[len(ttff) // 2] if ttff else None, ttff_max=ttff[-1] if ttff else None,
        decode_errors=sum(v["decode_errors"] for v in received.values()),
        decoded_frames_checked=any(v["decoded"] for v in received.values()),
        audio_streams=len(heard), audio_min_pps=min(heard) if heard else None,
        audio_mean_pps=sum(heard) / len(heard) if heard else None,
        server_forwarded_fps=None if forwarded0[1] is None else
        (forwarded1[1] - forwarded0[1]) / (forwarded1[0] - forwarded0[0]) / max(1, streams + missing),
        load_average=load_average,
    )


def show(result: RunResult) -> None:
    ttff = f"{result.ttff_median:.2f}/{result.ttff_max:.2f}s" if result.ttff_max is not None else "-"
    print(f"{result.mode:10} N={result.subscribers:<3} streams={result.streams:<4} "
          f"server={result.server_cores * 100:6.1f}% of a core  per-stream={result.cpu_per_stream_ms:6.2f} ms/s  "
          f"clients={result.client_cores * 100:5.1f}%  pub={result.publisher_fps:5.1f}fps  "
          f"recv min/mean={result.min_fps:5.1f}/{result.mean_fps:5.1f}fps (x{result.min_ratio:.2f})  "
          f"ttff med/max={ttff}  decode_errors={result.decode_errors}  load={result.load_average:.2f}"
          + (f"  server-forwarded={result.server_forwarded_fps:5.1f}fps/stream"
             if result.server_forwarded_fps is not None else "")
          + (f"  audio streams={result.audio_streams} min/mean={result.audio_min_pps:4.1f}/{result.audio_mean_pps:4.1f}pps"
             if result.audio_min_pps is not None else ""), flush=True)


def full_rate_streams(result: RunResult) -> float:
    """Forwarded streams counted at the publisher's full rate: a server that forwarded 25 of 30 fps to
    64 subscribers did the work of 53 full streams, and its CPU must be divided by that."""
    forwarded = result.server_forwarded_fps if result.server_forwarded_fps is not None else result.publisher_fps
    return result.subscribers * min(1.0, forwarded / result.publisher_fps) if result.publisher_fps else 0.0


def streams_per_core(low: RunResult, high: RunResult) -> str:
    """Marginal (the CPU slope between the smallest and the largest N) and all-in (the whole server CPU at
    the largest N, fixed cost counted), in full-rate 30 fps streams; not valid when subscribers did not
    get the publisher's frame rate (the load generator or the machine could not keep up)."""
    slope = (high.server_cores - low.server_cores) / max(1e-9, full_rate_streams(high) - full_rate_streams(low))
    line = (f"forwarded 30 fps streams per core: marginal {1 / slope if slope > 0 else float('inf'):.0f} "
            f"({slope * 1000:.2f} ms/s of server CPU per stream between N={low.subscribers} and "
            f"N={high.subscribers}); all-in {full_rate_streams(high) / high.server_cores:.0f} at N={high.subscribers} "
            f"(the server's whole CPU, fixed cost counted); load {low.load_average:.2f} / {high.load_average:.2f}")
    if high.min_ratio < MIN_FPS_RATIO:
        line += (f"\n  NOT VALID: at N={high.subscribers} the slowest subscriber received x{high.min_ratio:.2f} of the "
                 f"publisher's fps (the server forwarded {high.server_forwarded_fps or 0:.1f} fps per stream)")
    return line


SATURATED = 0.95  # of a core: the server's one process can do no more


def group_verdict(result: RunResult) -> str:
    """What a group row says: every stream at the publishers' frame rate; or the server's process ran out
    of its core (the limit of one room in one process); or the machine as a whole ran out — server and
    load generator together — which says nothing about the server (not valid; its CPU at a fraction of
    the rate does not extrapolate: fixed costs, NACKs and queue drops do not scale with the rate)."""
    if result.min_ratio >= MIN_FPS_RATIO:
        return "full rate"
    forwarded = result.server_forwarded_fps or 0.0
    if result.server_cores >= SATURATED:
        return f"server saturated: one process forwards {forwarded:.1f} of {result.publisher_fps:.0f} fps"
    return (f"NOT VALID: the machine ran out (server {result.server_cores:.0%} + load generator "
            f"{result.client_cores:.0%} of a core; the server forwarded {forwarded:.1f} of "
            f"{result.publisher_fps:.0f} fps)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="N up to 8 and shorter windows")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=None)
    parser.add_argument("--seconds", type=float, default=None, help="measurement window per run")
    parser.add_argument("--warmup", type=float, default=None,
                        help="seconds between the last join and the window (default 2.5, --quick 1.5)")
    parser.add_argument("--no-group", action="store_true")
    parser.add_argument("--no-fanout", action="store_true", help="only the group runs")
    parser.add_argument("--idle-generator", action="store_true",
                        help="group runs: the load generator under SCHED_IDLE, so the server has a whole core (it "
                             "then shows where one process saturates; the generator's own pacing suffers)")
    parser.add_argument("--group-sizes", type=lambda s: [int(x) for x in s.split(",")], default=[12],
                        help="group sizes to measure, e.g. 4,8,12,24 for a scaling table (default 12)")
    parser.add_argument("--group-video", type=lambda s: tuple(int(x) for x in s.split("x")),
                        default=(GROUP_WIDTH, GROUP_HEIGHT), help="each group member's video, WxH (default 320x240)")
    parser.add_argument("--modes", type=lambda s: s.split(","), default=["sfu", "relay"],
                        help="sfu,relay (both by default: the ratio needs both); sfu-python: ours without the C send path")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    sizes = [] if args.no_fanout else args.sizes or ([1, 4, 8] if args.quick else [1, 4, 8, 16, 32, 64])
    seconds = args.seconds or (4.0 if args.quick else 6.0)
    warmup = args.warmup if args.warmup is not None else (1.5 if args.quick else 2.5)
    clip = encode_clip(WIDTH, HEIGHT, BITRATE)
    bitrate = sum(map(len, clip)) * 8 * FPS / len(clip)
    print(f"clip: {WIDTH}x{HEIGHT} VP8, {FPS} fps, {bitrate / 1e6:.2f} Mbps; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    results: list[RunResult] = []
    for n in sizes:
        for mode in args.modes:
            result = run(mode, n, clip, seconds, warmup)
            show(result)
            results.append(result)
    if not args.no_group:
        width, height = args.group_video
        group_clip = encode_clip(width, height, bitrate_for(width, height))
        mbps = sum(map(len, group_clip)) * 8 * FPS / len(group_clip) / 1e6
        for size in args.group_sizes:
            print(f"{size}-person group: each sends {width}x{height} VP8 at {mbps:.2f} Mbps, {FPS} fps, and Opus in "
                  "20 ms packets", flush=True)
            group = run("sfu", 0, group_clip, seconds, warmup, group=size, voice=encode_voice(),
                        idle_generator=args.idle_generator)
            show(group)
            results.append(group)
        groups = [r for r in results if r.mode == "sfu" and r.publishers > 1]
        print(f"\nGroup scaling, everyone publishing {width}x{height} at {FPS} fps (+ Opus) and receiving the others")
        print("| N | video streams | server % of a core | µs/s per stream | load generator % of a core "
              "| recv min fps | × publisher | load average | verdict |")
        print("|---|---|---|---|---|---|---|---|---|")
        for g in groups:
            print(f"| {g.subscribers} | {g.streams} | {g.server_cores * 100:.1f} | {g.cpu_per_stream_ms * 1000:.0f} | "
                  f"{g.client_cores * 100:.0f} | {g.min_fps:.1f} | {g.min_ratio:.2f} | {g.load_average:.2f} | "
                  f"{group_verdict(g)} |")
    print()
    for n in sizes if {"sfu", "relay"} <= set(args.modes) else ():
        ours = next(r for r in results if r.mode == "sfu" and r.subscribers == n and r.publishers == 1)
        base = next(r for r in results if r.mode == "relay" and r.subscribers == n)
        print(f"N={n:<3} CPU ratio relay/sfu = {base.server_cores / max(ours.server_cores, 1e-9):6.1f}x   "
              f"sfu min fps ratio x{ours.min_ratio:.2f}   relay min fps ratio x{base.min_ratio:.2f}   "
              f"load {ours.load_average:.2f} / {base.load_average:.2f}")
    fan = [r for r in results if r.mode == "sfu" and r.publishers == 1]
    if len(fan) >= 2:
        print(streams_per_core(fan[0], fan[-1]))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))


if __name__ == "__main__":
    main()
