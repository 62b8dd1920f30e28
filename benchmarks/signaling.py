"""Signalling benchmarks for Steadyline (not part of the test suite; see docs/benchmarks-signaling.md).

1. Relay throughput and latency. K Socket.IO clients in rooms of two send offer/answer/ICE-sized
   ``signal`` messages to their room partner at a fixed rate, through

   * *ours*: the real app (``steadyline serve``) in its own process, with rooms set up through the
     REST API (staff login, group sessions, links, redemption, host token) and the socket lobby
     (join, admit, join again), and
   * *bare*: a minimal python-socketio ``AsyncServer`` in its own process that only forwards
     ``signal {to: sid}`` to that sid (no auth, no validation, no room state).

   Clients run in worker processes (multiprocessing, spawn). Every payload carries its send time
   (``time.monotonic_ns``, system-wide on Linux) and the receiver computes the one-way relay latency.

2. Join time: a real aiortc participant redeems a link, waits in the lobby, is admitted by a
   therapist socket (a bot that admits as soon as the lobby shows the person), negotiates SDP
   through the server and decodes its first remote video frame.

Everything listens on and talks to 127.0.0.1 only: the aiortc peers use no STUN server and gather
only the loopback host candidate. Every loop is bounded in count and in time.

    .venv/bin/python benchmarks/signaling.py            # K = 10, 50, 200; 10 s per level; 10 joins
    .venv/bin/python benchmarks/signaling.py --quick    # K = 10, 50; 5 s per level; 5 joins
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import math
import multiprocessing as mp
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402
import socketio  # noqa: E402

from loadtest.options import VideoFormat  # noqa: E402

HOST = "127.0.0.1"
STAFF_EMAIL = "bench-therapist@example.test"
STAFF_PASSWORD = "bench-password-" + "p" * 12
PING_INTERVAL, PING_TIMEOUT = 5, 10  # the app's defaults; the bare server uses the same
MAX_MESSAGE_BYTES = 65536
DESCRIPTION_EVERY = 5  # one message in five is an SDP description, the rest are ICE candidates
MARK = "~t="  # marker of the send timestamp inside the SDP text / candidate string
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------
# Payloads


def _sdp_body() -> str:
    """An SDP-shaped text of about 3 KB (one audio and one video section)."""
    lines = [
        "s=-", "t=0 0", "a=group:BUNDLE 0 1", "a=extmap-allow-mixed", "a=msid-semantic: WMS bench",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126", "c=IN IP4 0.0.0.0",
        "a=rtcp:9 IN IP4 0.0.0.0", "a=ice-ufrag:Xq3b", "a=ice-pwd:4mQ7d2rLz0kTb1pYw9sVn6cE",
        "a=ice-options:trickle",
        "a=fingerprint:sha-256 " + ":".join(f"{(i * 37) % 256:02X}" for i in range(32)),
        "a=setup:actpass", "a=mid:0", "a=sendrecv", "a=msid:bench audio-track", "a=rtcp-mux",
        "a=rtpmap:111 opus/48000/2", "a=rtcp-fb:111 transport-cc", "a=fmtp:111 minptime=10;useinbandfec=1",
        "a=rtpmap:63 red/48000/2", "a=fmtp:63 111/111", "a=rtpmap:9 G722/8000", "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000", "a=rtpmap:13 CN/8000", "a=rtpmap:110 telephone-event/48000",
        "a=rtpmap:126 telephone-event/8000", "a=ssrc:1001 cname:benchcname",
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 102 103 104 105 106 107",
        "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0", "a=ice-ufrag:Xq3b", "a=ice-pwd:4mQ7d2rLz0kTb1pYw9sVn6cE",
        "a=ice-options:trickle", "a=setup:actpass", "a=mid:1", "a=sendrecv", "a=msid:bench video-track",
        "a=rtcp-mux", "a=rtcp-rsize",
    ]
    for pt, codec in zip(range(96, 108, 2), ("VP8", "VP9", "H264", "H264", "AV1", "H265")):
        lines += [f"a=rtpmap:{pt} {codec}/90000", f"a=rtcp-fb:{pt} goog-remb", f"a=rtcp-fb:{pt} transport-cc",
                  f"a=rtcp-fb:{pt} ccm fir", f"a=rtcp-fb:{pt} nack", f"a=rtcp-fb:{pt} nack pli",
                  f"a=rtpmap:{pt + 1} rtx/90000", f"a=fmtp:{pt + 1} apt={pt}"]
        if codec == "H264":
            lines.append(f"a=fmtp:{pt} level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f")
    lines += ["a=ssrc-group:FID 2001 2002", "a=ssrc:2001 cname:benchcname", "a=ssrc:2002 cname:benchcname"]
    body = "\r\n".join(lines) + "\r\n"
    pad = 2950 - len(body)
    while pad > 0:  # bounded: at most ~3 KB / 40 B iterations
        chunk = "a=x-pad:" + "z" * min(60, max(1, pad - 10))
        body += chunk + "\r\n"
        pad -= len(chunk) + 2
    return body


SDP_BODY = _sdp_body()


def description_payload(to: str, seq: int, sent_ns: int) -> dict:
    sdp = f"v=0\r\no=- {seq} 2 IN IP4 127.0.0.1\r\na=x-sent:{MARK}{sent_ns}\r\n" + SDP_BODY
    return {"to": to, "description": {"type": "offer" if seq % 2 == 0 else "answer", "sdp": sdp}}


def candidate_payload(to: str, seq: int, sent_ns: int) -> dict:
    text = (f"candidate:{842163049 + seq % 1000} 1 udp 1677729535 203.0.113.7 {50000 + seq % 10000} typ srflx "
            f"raddr 10.0.0.5 rport 61665 generation 0 ufrag Xq3b network-cost 10 {MARK}{sent_ns}")
    return {"to": to, "candidate": {"candidate": text, "sdpMid": "0", "sdpMLineIndex": 0,
                                    "usernameFragment": "Xq3b"}}


def sent_at(text: str) -> int | None:
    start = text.find(MARK)
    if start < 0:
        return None
    start += len(MARK)
    end = start
    while end < len(text) and text[end].isdigit():  # bounded by the text length
        end += 1
    return int(text[start:end]) if end > start else None


# ---------------------------------------------------------------------------------------------
# Processes and CPU accounting


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), from /proc."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _machine_jiffies() -> list[int]:
    """The whole machine's first line of /proc/stat: user, nice, system, idle, iowait, irq, softirq, steal."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    return (values + [0] * 8)[:8]


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine."""
    values = _machine_jiffies()
    total = sum(values)
    return total - values[3] - values[4], total


def machine_steal() -> tuple[int, int]:
    """(steal, total) jiffies of the machine: time the hypervisor gave this VM's CPUs to someone else."""
    values = _machine_jiffies()
    return values[7], sum(values)


async def wait_for_quiet(max_wait: float, threshold_cores: float) -> float:
    """Wait (bounded) until the machine's other work stays under ``threshold_cores`` for a second;
    returns the last measured load. The benchmark shares its 2 cores with whatever else runs."""
    cores = os.cpu_count() or 1
    load = 0.0
    for _ in range(max(1, int(max_wait))):  # one-second samples, bounded by max_wait
        before = machine_cpu()
        await asyncio.sleep(1.0)
        after = machine_cpu()
        load = (after[0] - before[0]) / max(1, after[1] - before[1]) * cores
        if load <= threshold_cores:
            break
    return load


class Server:
    """A server in its own process, listening on 127.0.0.1."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], cwd: Path, port: int, ready_path: str):
        self.name, self.port = name, port
        self.url = f"http://{HOST}:{port}"
        self.log_path = cwd / f"{name}-{port}.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT)
        self._ready_path = ready_path

    async def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} server exited early:\n{self.log_tail()}")
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    async with http.get(self.url + self._ready_path) as resp:
                        if resp.status < 500:
                            return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} server not ready after {timeout}s:\n{self.log_tail()}")

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.process.pid)

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()


def steadyline_command() -> list[str]:
    script = Path(sys.executable).parent / "steadyline"
    return [str(script)] if script.exists() else [sys.executable, "-m", "server"]


class OurServerFactory:
    """Starts ``steadyline serve`` on a fresh SQLite database holding one therapist account."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.database = workdir / "steadyline.db"
        self.secret = secrets.token_urlsafe(36)  # 48 characters
        self.audit_secret = secrets.token_urlsafe(36)
        self._staff_created = False

    def env(self, port: int) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("STEADYLINE_")}
        env.update({
            "STEADYLINE_DATABASE_URL": f"sqlite+aiosqlite:///{self.database}",
            "STEADYLINE_JWT_SECRET": self.secret,
            "STEADYLINE_TLS_CERT": "", "STEADYLINE_TLS_KEY": "",
            "STEADYLINE_HOST": HOST, "STEADYLINE_PORT": str(port),
            "STEADYLINE_PUBLIC_URL": f"http://{HOST}:{port}",
            "STEADYLINE_MESSAGE_RATE": "100000", "STEADYLINE_MESSAGE_BURST": "100000",
            "STEADYLINE_LOG_LEVEL": "WARNING", "STEADYLINE_DRAIN_SECONDS": "1",
            "STEADYLINE_DEMO": "false",
            # newer trees encrypt health-information fields: keep the key file in the temp dir
            "STEADYLINE_FIELD_KEYS_FILE": str(self.workdir / "field-keys.json"),
            # the audit chain has a key of its own; no checkpoints (no signing key) in a benchmark
            "STEADYLINE_AUDIT_SECRET": self.audit_secret,
            "STEADYLINE_AUDIT_CHECKPOINT_INTERVAL": "0",
            # Link redemption is limited per client address (30/min). Real clients each have their
            # own; here they all come from 127.0.0.1, so the benchmark plays a trusted reverse proxy
            # and names a distinct address from the RFC 2544 benchmarking range per client.
            "STEADYLINE_TRUST_FORWARDED_FOR": "true",
        })
        return env

    def create_staff(self) -> None:
        if self._staff_created:
            return
        env = self.env(free_port()) | {"STEADYLINE_NEW_STAFF_PASSWORD": STAFF_PASSWORD}

        def run(*argv: str) -> str:
            done = subprocess.run([*steadyline_command(), *argv], env=env, cwd=self.workdir, capture_output=True,
                                  text=True, timeout=120)
            if done.returncode:
                raise RuntimeError(f"steadyline {argv[0]} failed:\n{done.stdout}{done.stderr}")
            return done.stdout

        if "keys" in run("--help"):
            run("keys", "init")
        run("create-staff", "--email", STAFF_EMAIL, "--name", "Bench Therapist", "--role", "therapist")
        self._staff_created = True

    async def start(self, probe_path: str | None = None) -> Server:
        self.create_staff()
        port = free_port()
        argv = ([sys.executable, str(Path(__file__).resolve()), "--serve-ours-probed", probe_path] if probe_path
                else [*steadyline_command(), "serve"])
        server = Server("ours", argv, self.env(port), self.workdir, port, "/readyz")
        await server.wait_ready()
        return server


async def start_bare(workdir: Path, probe_path: str | None = None) -> Server:
    port = free_port()
    env = dict(os.environ)
    argv = [sys.executable, str(Path(__file__).resolve()), "--serve-bare", str(port)]
    server = Server("bare", argv + (["--probe-file", probe_path] if probe_path else []),
                    env, workdir, port, "/socket.io/?EIO=4&transport=polling")
    await server.wait_ready()
    return server


class LoopProbe:
    """Optional (``--probe``): inside a server process, record event-loop stalls (how late a 10 ms
    timer fires) and garbage-collector pauses, and write a summary when the server stops."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lags: list[float] = []
        self.gc_pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._gc_started = 0.0

    def _on_gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif len(self.gc_pauses[info["generation"]]) < 1_000_000:
            self.gc_pauses[info["generation"]].append(time.perf_counter() - self._gc_started)

    async def run(self) -> None:
        import gc

        gc.callbacks.append(self._on_gc)
        try:
            for _ in range(360_000):  # bounded: one hour of 10 ms ticks
                before = time.perf_counter()
                await asyncio.sleep(0.01)
                self.lags.append(time.perf_counter() - before - 0.01)
        finally:
            self.write()

    def write(self) -> None:
        lags = sorted(self.lags)
        Path(self.path).write_text(json.dumps({
            "ticks": len(lags), "lag_p99_ms": percentile(lags, 0.99) * 1e3,
            "lag_max_ms": (lags[-1] * 1e3 if lags else 0.0),
            "stalls_over_50ms": sum(v > 0.05 for v in lags), "stalls_over_200ms": sum(v > 0.2 for v in lags),
            "gc": {str(g): {"count": len(v), "total_ms": sum(v) * 1e3, "max_ms": max(v, default=0) * 1e3}
                   for g, v in self.gc_pauses.items()},
        }))


def serve_ours_probed(path: str) -> None:
    """``steadyline serve`` with a LoopProbe running in its event loop."""
    from server.cli import load_settings, serve
    from server.logging_setup import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_json)
    probe = LoopProbe(path)

    async def probed() -> None:
        task = asyncio.create_task(probe.run())
        try:
            await serve(settings)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    asyncio.run(probed())


def serve_bare(port: int, probe_path: str | None = None) -> None:
    """The reference: a minimal Socket.IO relay with the same engine settings as ours."""
    from aiohttp import web

    sio = socketio.AsyncServer(
        async_mode="aiohttp", transports=["websocket"], ping_interval=PING_INTERVAL, ping_timeout=PING_TIMEOUT,
        max_http_buffer_size=MAX_MESSAGE_BYTES, logger=False, engineio_logger=False,
    )

    @sio.on("signal")
    async def relay(sid: str, data: object) -> dict:
        if not isinstance(data, dict) or not isinstance(data.get("to"), str):
            return {"ok": False}
        to = data.pop("to")
        data["from"] = sid
        await sio.emit("signal", data, to=to)
        return {"ok": True}

    app = web.Application()
    sio.attach(app)
    if probe_path:
        probe = LoopProbe(probe_path)

        async def probe_ctx(_app):
            task = asyncio.create_task(probe.run())
            yield
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

        app.cleanup_ctx.append(probe_ctx)
    web.run_app(app, host=HOST, port=port, print=None)


# ---------------------------------------------------------------------------------------------
# REST set-up of rooms on our server


class Api:
    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base, self.token = http, base, ""

    async def call(self, method: str, path: str, body: dict | None = None, token: str | None = None,
                   expect: int = 200, headers: dict | None = None, retry_limited: bool = True) -> dict:
        """``retry_limited`` False: a 429 is an error (where it would hide in the figure being measured)."""
        headers = dict(headers or {})
        if token or (token is None and self.token):
            headers["Authorization"] = f"Bearer {token or self.token}"
        for _ in range(60):  # bounded: a rate-limited call is retried for at most ~2 minutes
            async with self.http.request(method, self.base + path, json=body, headers=headers,
                                         timeout=aiohttp.ClientTimeout(total=30)) as resp:
                data = await resp.json(content_type=None)
                if resp.status == 429 and retry_limited:
                    await asyncio.sleep(2)
                    continue
                if resp.status != expect:
                    raise RuntimeError(f"{method} {path} -> {resp.status}: {data}")
                return data
        raise RuntimeError(f"{method} {path} stayed rate-limited")

    async def login(self) -> None:
        body = await self.call("POST", "/api/auth/login", {"email": STAFF_EMAIL, "password": STAFF_PASSWORD})
        self.token = body["access_token"]

    async def create_session(self, kind: str, title: str) -> dict:
        now = datetime.now(timezone.utc)
        return await self.call("POST", "/api/sessions", {
            "kind": kind, "title": title, "starts_at": (now - timedelta(minutes=1)).isoformat(),
            "ends_at": (now + timedelta(hours=2)).isoformat()}, expect=201)

    async def add_client(self, session_id: str, name: str) -> dict:
        return await self.call("POST", f"/api/sessions/{session_id}/participants", {"display_name": name},
                               expect=201)

    async def host_token(self, session_id: str) -> dict:
        return await self.call("POST", f"/api/sessions/{session_id}/host")

    async def redeem(self, join_url: str, client_number: int) -> dict:
        address = f"198.18.{client_number // 250 % 256}.{client_number % 250 + 1}"
        return await self.call("POST", "/api/join", {"token": join_url.split("#", 1)[1]}, token="",
                               headers={"X-Forwarded-For": address})

    async def end(self, session_id: str) -> None:
        await self.call("POST", f"/api/sessions/{session_id}/end")


async def prepare_rooms(base: str, count: int) -> list[dict]:
    """One group session per room: a host token for the therapist and a redeemed client link."""
    async with aiohttp.ClientSession() as http:
        api = Api(http, base)
        await api.login()
        gate = asyncio.Semaphore(8)

        async def one(index: int) -> dict:
            async with gate:
                session = await api.create_session("group", f"Bench room {index}")
                host = await api.host_token(session["id"])
                link = await api.add_client(session["id"], f"Bench client {index}")
                redeemed = await api.redeem(link["join_url"], index)
                return {"session_id": session["id"], "host_token": host["participant_token"],
                        "host_pid": host["participant"]["id"], "client_token": redeemed["participant_token"],
                        "client_pid": redeemed["participant"]["id"]}

        return list(await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(count))), 300))


# ---------------------------------------------------------------------------------------------
# Relay worker (runs in its own process; measures as many windows as the parent asks for)


@dataclass
class WorkerSpec:
    kind: str  # "ours" | "bare"
    url: str
    rooms: list[dict]  # ours: tokens and ids per room; bare: one empty dict per room
    rate: float
    warmup: float
    duration: float
    first_index: int  # of this worker's first client among all clients (spreads send phases)
    total_clients: int
    max_windows: int


@dataclass
class WorkerResult:
    sent: int = 0  # inside the measurement window
    received: int = 0  # sent inside the window and delivered before the drain deadline
    acked_ok: int = 0
    ack_errors: dict = field(default_factory=dict)
    latencies_description: list = field(default_factory=list)  # ns
    latencies_candidate: list = field(default_factory=list)  # ns
    send_lag_ns: list = field(default_factory=list)  # actual - scheduled send time, in the window
    cpu_seconds: float = 0.0  # of this process during the window
    disconnects: int = 0
    error: str = ""

    def add_error(self, code: str) -> None:
        self.ack_errors[code] = self.ack_errors.get(code, 0) + 1


class BenchClient:
    """One Socket.IO connection; ``window`` = [start, end, drain deadline] in monotonic ns."""

    def __init__(self, url: str, window: list[int]) -> None:
        self.url, self.window = url, window
        self.result = WorkerResult()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.peer = ""
        self.admitted = asyncio.Event()
        self.stopping = False
        self.sio.on("signal", self._on_signal)
        self.sio.on("admitted", self._on_admitted)
        self.sio.on("disconnect", self._on_disconnect)

    async def connect(self, token: str | None) -> None:
        await self.sio.connect(self.url, auth={"token": token} if token else None, transports=["websocket"],
                               wait_timeout=30)

    async def call(self, event: str, data: dict) -> dict:
        ack = await self.sio.call(event, data, timeout=30)
        if not ack.get("ok"):
            raise RuntimeError(f"{event} refused: {ack}")
        return ack

    async def _on_admitted(self, data: object = None) -> None:
        self.admitted.set()

    async def _on_disconnect(self, reason: object = None) -> None:
        if not self.stopping:
            self.result.disconnects += 1

    async def _on_signal(self, data: dict) -> None:
        now = time.monotonic_ns()
        description = data.get("description")
        text = description["sdp"] if description else data["candidate"]["candidate"]
        sent = sent_at(text)
        if sent is None or not (self.window[0] <= sent < self.window[1]) or now > self.window[2]:
            return  # warm-up, another window's straggler, or too late (counted as lost)
        self.result.received += 1
        (self.result.latencies_description if description else self.result.latencies_candidate).append(now - sent)

    @staticmethod
    def _on_ack(result: WorkerResult, ack: object = None) -> None:
        if isinstance(ack, dict) and ack.get("ok"):
            result.acked_ok += 1
        else:
            result.add_error(ack.get("error", {}).get("code", "?") if isinstance(ack, dict) else "?")

    async def send_loop(self, start_ns: int, offset_ns: int, interval_ns: int, count: int) -> None:
        result = self.result
        for seq in range(count):  # bounded by count; the schedule is absolute (open loop)
            scheduled = start_ns + offset_ns + seq * interval_ns
            delay = scheduled - time.monotonic_ns()
            if delay > 0:
                await asyncio.sleep(delay / 1e9)
            now = time.monotonic_ns()
            if now > self.window[2]:
                return
            build = description_payload if seq % DESCRIPTION_EVERY == 0 else candidate_payload
            in_window = self.window[0] <= now < self.window[1]
            if in_window:
                result.sent += 1
                result.send_lag_ns.append(now - scheduled)
            ack = functools.partial(self._on_ack, result) if in_window else None
            try:
                await self.sio.emit("signal", build(self.peer, seq, now), callback=ack)
            except Exception:  # a dropped connection: not delivered
                if in_window:
                    result.add_error("send_failed")

    async def close(self) -> None:
        self.stopping = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.sio.disconnect(), 5)


async def _setup_room(spec: WorkerSpec, room: dict, window: list[int]) -> list[BenchClient]:
    a, b = BenchClient(spec.url, window), BenchClient(spec.url, window)
    if spec.kind == "bare":
        await a.connect(None)
        await b.connect(None)
        a.peer, b.peer = b.sio.get_sid("/"), a.sio.get_sid("/")
        return [a, b]
    # ours: the therapist joins the room; the client joins the lobby, is admitted, joins again
    await a.connect(room["host_token"])
    await a.call("join", {})
    await b.connect(room["client_token"])
    await b.call("join", {})
    await a.call("admit", {"participant_id": room["client_pid"]})
    await asyncio.wait_for(b.admitted.wait(), 30)
    ack = await b.call("join", {})
    if ack["state"]["you"]["status"] != "admitted":
        raise RuntimeError(f"client not admitted: {ack}")
    a.peer, b.peer = room["client_pid"], room["host_pid"]
    return [a, b]


async def _measure_window(spec: WorkerSpec, clients: list[BenchClient], window: list[int], start_ns: int,
                          result: WorkerResult) -> None:
    for client in clients:
        client.result = result
    warmup_ns, duration_ns = int(spec.warmup * 1e9), int(spec.duration * 1e9)
    window[0], window[1] = start_ns + warmup_ns, start_ns + warmup_ns + duration_ns
    window[2] = window[1] + int(5e9)  # drain: arrivals later than 5 s after the window count as lost
    interval_ns = int(1e9 / spec.rate)
    count = math.ceil((spec.warmup + spec.duration) * spec.rate)

    async def cpu_meter() -> None:
        await asyncio.sleep(max(0, window[0] - time.monotonic_ns()) / 1e9)
        before = time.process_time()
        await asyncio.sleep(max(0, window[1] - time.monotonic_ns()) / 1e9)
        result.cpu_seconds = time.process_time() - before

    meter = asyncio.create_task(cpu_meter())
    senders = [
        c.send_loop(start_ns, ((spec.first_index + i) * interval_ns) // spec.total_clients, interval_ns, count)
        for i, c in enumerate(clients)
    ]
    await asyncio.wait_for(asyncio.gather(*senders), spec.warmup + spec.duration + 30)
    await meter
    # drain: partners live in this process, so every in-window message sent here arrives here
    for _ in range(400):  # bounded: at most ~5 s
        answered = result.acked_ok + sum(result.ack_errors.values())
        if (result.received >= result.sent and answered >= result.sent) or time.monotonic_ns() > window[2]:
            break
        await asyncio.sleep(0.0125)


async def _relay_worker(spec: WorkerSpec, conn) -> None:
    window = [0, 0, 2**63]
    clients: list[BenchClient] = []
    loop = asyncio.get_running_loop()

    async def receive(timeout: float):
        if not await loop.run_in_executor(None, conn.poll, timeout):
            raise TimeoutError("no word from the parent")
        return conn.recv()

    try:
        began = time.monotonic()
        gate = asyncio.Semaphore(10)

        async def guarded(room: dict) -> list[BenchClient]:
            async with gate:
                return await _setup_room(spec, room, window)

        try:
            pairs = await asyncio.wait_for(asyncio.gather(*(guarded(r) for r in spec.rooms)), 240)
        except Exception as exc:
            conn.send(("failed", f"set-up: {type(exc).__name__}: {exc}"))
            return
        clients = [c for pair in pairs for c in pair]
        conn.send(("ready", len(clients), time.monotonic() - began))
        for _ in range(spec.max_windows):  # bounded; the parent says "stop" when it is done
            command = await receive(1800)
            if command[0] != "run":
                break
            result = WorkerResult()
            try:
                await _measure_window(spec, clients, window, command[1], result)
            except Exception as exc:  # reported to the parent, which prints it
                result.error = f"{type(exc).__name__}: {exc}"
            conn.send(("result", asdict(result)))
    finally:
        await asyncio.wait_for(asyncio.gather(*(c.close() for c in clients), return_exceptions=True), 30)


def relay_worker_entry(spec: WorkerSpec, conn) -> None:
    asyncio.run(_relay_worker(spec, conn))


# ---------------------------------------------------------------------------------------------
# Relay level: both servers, K clients each, alternating measurement windows


def percentile(sorted_values: list, p: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, math.ceil(p * len(sorted_values)) - 1))
    return sorted_values[rank]


@dataclass
class Window:
    kind: str
    k: int
    round: int
    duration: float
    sent: int
    delivered: int
    acked_ok: int
    ack_errors: dict
    disconnects: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    send_lag_p99_ms: float
    server_cpu_s: float
    clients_cpu_s: float
    machine_busy: float  # fraction of all cores busy during the window
    background_cores: float  # cores busy with anything but this server and its clients (other work)
    load_average: float  # the machine's 1-minute load average at the window's end
    errors: list
    latencies_description: list = field(default_factory=list, repr=False)  # ns, not in the JSON
    latencies_candidate: list = field(default_factory=list, repr=False)


@dataclass
class Summary:
    """All windows of one server at one K, pooled."""

    kind: str
    k: int
    windows: int
    seconds: float
    sent: int
    delivered: int
    ack_errors: int
    disconnects: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    median_window_p99_ms: float
    p50_description_ms: float
    p99_description_ms: float
    p50_candidate_ms: float
    p99_candidate_ms: float
    send_lag_p99_ms: float
    server_cores: float  # mean CPU of the server process during the windows
    server_us_per_msg: float
    clients_cores: float
    background_cores: float  # mean other work on the machine during the windows
    load_average: float  # the highest 1-minute load average at the end of its windows
    setup_seconds: float
    client_processes: int

    @property
    def rooms(self) -> int:
        return self.k // 2  # rooms of two: K counts clients

    @property
    def lost(self) -> int:
        return self.sent - self.delivered

    @property
    def intact(self) -> bool:
        """Every message delivered and acknowledged, no connection dropped: the latencies describe them all."""
        return self.lost == 0 and self.ack_errors == 0 and self.disconnects == 0

    @property
    def delivered_per_s(self) -> float:
        return self.delivered / self.seconds

    @property
    def sent_per_s(self) -> float:
        return self.sent / self.seconds


def summarize(kind: str, k: int, windows: list[Window], setup_seconds: float, processes: int) -> Summary:
    ms = 1e-6
    desc = sorted(v for w in windows for v in w.latencies_description)
    cand = sorted(v for w in windows for v in w.latencies_candidate)
    lat = sorted(desc + cand)
    seconds = sum(w.duration for w in windows)
    delivered = sum(w.delivered for w in windows)
    server_cpu = sum(w.server_cpu_s for w in windows)
    return Summary(
        kind=kind, k=k, windows=len(windows), seconds=seconds, sent=sum(w.sent for w in windows),
        delivered=delivered, ack_errors=sum(sum(w.ack_errors.values()) for w in windows),
        disconnects=sum(w.disconnects for w in windows),
        p50_ms=percentile(lat, 0.50) * ms, p90_ms=percentile(lat, 0.90) * ms, p99_ms=percentile(lat, 0.99) * ms,
        max_ms=(lat[-1] * ms if lat else float("nan")),
        median_window_p99_ms=statistics.median(w.p99_ms for w in windows),
        p50_description_ms=percentile(desc, 0.50) * ms, p99_description_ms=percentile(desc, 0.99) * ms,
        p50_candidate_ms=percentile(cand, 0.50) * ms, p99_candidate_ms=percentile(cand, 0.99) * ms,
        send_lag_p99_ms=max(w.send_lag_p99_ms for w in windows),
        server_cores=server_cpu / seconds, server_us_per_msg=(server_cpu / delivered * 1e6 if delivered else float("nan")),
        clients_cores=sum(w.clients_cpu_s for w in windows) / seconds,
        background_cores=statistics.mean(w.background_cores for w in windows),
        load_average=max(w.load_average for w in windows),
        setup_seconds=setup_seconds, client_processes=processes,
    )


class RelayFleet:
    """One server with its client worker processes, set up once and measured window by window."""

    def __init__(self, kind: str, k: int) -> None:
        self.kind, self.k = kind, k
        self.server: Server | None = None
        self.processes: list[mp.Process] = []
        self.pipes: list = []
        self.setup_seconds = 0.0
        self.probe_path: str | None = None
        self.probe: dict | None = None

    async def start(self, args, workdir: Path, ours: OurServerFactory) -> None:
        began = time.monotonic()
        self.probe_path = str(workdir / f"probe-{self.kind}-{self.k}.json") if args.probe else None
        self.server = await (ours.start(self.probe_path) if self.kind == "ours"
                             else start_bare(workdir, self.probe_path))
        rooms_count = self.k // 2
        rooms = await prepare_rooms(self.server.url, rooms_count) if self.kind == "ours" else [{}] * rooms_count
        workers = max(1, min(args.workers, rooms_count))
        ctx = mp.get_context("spawn")
        first_index = 0
        for w in range(workers):
            mine = rooms[w::workers]
            spec = WorkerSpec(kind=self.kind, url=self.server.url, rooms=mine, rate=args.rate, warmup=args.warmup,
                              duration=args.duration, first_index=first_index, total_clients=2 * rooms_count,
                              max_windows=args.rounds + args.retries + 1)
            first_index += 2 * len(mine)
            parent_end, child_end = ctx.Pipe()
            proc = ctx.Process(target=relay_worker_entry, args=(spec, child_end), daemon=True)
            proc.start()
            self.processes.append(proc)
            self.pipes.append(parent_end)
        for pipe in self.pipes:
            message = await self._receive(pipe, 300)
            if message[0] != "ready":
                raise RuntimeError(f"{self.kind} K={self.k}: a client worker failed: {message[1]}\n"
                                   f"{self.server.log_tail()}")
        self.setup_seconds = time.monotonic() - began

    @staticmethod
    async def _receive(pipe, timeout: float):
        if not await asyncio.get_running_loop().run_in_executor(None, pipe.poll, timeout):
            raise RuntimeError("a client worker did not answer in time")
        return pipe.recv()

    async def measure(self, args, round_number: int) -> Window:
        start_ns = time.monotonic_ns() + int(0.3e9)
        for pipe in self.pipes:
            pipe.send(("run", start_ns))
        window_start = start_ns / 1e9 + args.warmup
        await asyncio.sleep(max(0.0, window_start - time.monotonic()))
        cpu0, machine0 = self.server.cpu_seconds(), machine_cpu()
        await asyncio.sleep(max(0.0, window_start + args.duration - time.monotonic()))
        cpu1, machine1 = self.server.cpu_seconds(), machine_cpu()
        results = []
        for pipe in self.pipes:
            message = await self._receive(pipe, args.warmup + args.duration + 60)
            results.append(message[1])
        desc = [v for r in results for v in r["latencies_description"]]
        cand = [v for r in results for v in r["latencies_candidate"]]
        lat = sorted(desc + cand)
        lag = sorted(v for r in results for v in r["send_lag_ns"])
        ack_errors = Counter()
        for r in results:
            ack_errors.update(r["ack_errors"])
        busy = (machine1[0] - machine0[0]) / max(1, machine1[1] - machine0[1])
        clients_cpu = sum(r["cpu_seconds"] for r in results)
        ms = 1e-6
        return Window(
            kind=self.kind, k=self.k, round=round_number, duration=args.duration,
            sent=sum(r["sent"] for r in results), delivered=sum(r["received"] for r in results),
            acked_ok=sum(r["acked_ok"] for r in results), ack_errors=dict(ack_errors),
            disconnects=sum(r["disconnects"] for r in results),
            p50_ms=percentile(lat, 0.50) * ms, p99_ms=percentile(lat, 0.99) * ms,
            max_ms=(lat[-1] * ms if lat else float("nan")), send_lag_p99_ms=percentile(lag, 0.99) * ms,
            server_cpu_s=cpu1 - cpu0, clients_cpu_s=clients_cpu, machine_busy=busy,
            background_cores=max(0.0, busy * (os.cpu_count() or 1) - (cpu1 - cpu0 + clients_cpu) / args.duration),
            load_average=os.getloadavg()[0],
            errors=[r["error"] for r in results if r["error"]],
            latencies_description=desc, latencies_candidate=cand,
        )

    async def stop(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError, BrokenPipeError):
                pipe.send(("stop",))
        for proc in self.processes:
            await asyncio.get_running_loop().run_in_executor(None, proc.join, 30)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)
        if self.server:
            self.server.stop()
        if self.probe_path and Path(self.probe_path).exists():
            self.probe = json.loads(Path(self.probe_path).read_text())


async def run_k(k: int, args, workdir: Path, ours: OurServerFactory) -> tuple[list[Window], list[Summary]]:
    """Both servers run side by side (the idle one only answers pings); windows alternate
    bare/ours, ours/bare, ... so that other work on the machine hits both alike."""
    fleets = {kind: RelayFleet(kind, k) for kind in args.servers}
    windows: dict[str, list[Window]] = {kind: [] for kind in args.servers}
    try:
        for fleet in fleets.values():
            print(f"  K={k}: setting up {k} clients in {k // 2} rooms of two on {fleet.kind} ...", flush=True)
            await fleet.start(args, workdir, ours)
        quiet_rounds = 0
        for round_number in range(args.rounds + args.retries):  # bounded
            if round_number >= args.rounds and quiet_rounds:
                break  # extra rounds only while no round so far was free of other work
            order = list(fleets) if round_number % 2 == 0 else list(reversed(fleets))
            round_windows = []
            for kind in order:
                load = await wait_for_quiet(args.quiet_wait, args.max_background)
                window = await fleets[kind].measure(args, round_number)
                round_windows.append(window)
                note = f" (machine busy beforehand: {load:.2f} cores)" if load > args.max_background else ""
                print(f"    round {round_number + 1} {kind:<4}: delivered {window.delivered}/{window.sent}, "
                      f"p50 {window.p50_ms:.2f} ms, p99 {window.p99_ms:.2f} ms, server CPU "
                      f"{window.server_cpu_s / window.duration:.0%}, other work {window.background_cores:.2f} "
                      f"cores, load average {window.load_average:.2f}{note}", flush=True)
                for error in window.errors:
                    print(f"      worker error: {error}", flush=True)
            quiet_rounds += all(w.background_cores <= args.max_background for w in round_windows)
            for w in round_windows:
                windows[w.kind].append(w)
    finally:
        for fleet in fleets.values():
            await fleet.stop()
    for fleet in fleets.values():
        if fleet.probe:
            p = fleet.probe
            gc_text = ", ".join(f"gen{g} {v['count']}× max {v['max_ms']:.1f} ms" for g, v in p["gc"].items())
            print(f"    probe {fleet.kind} (whole server life): loop lag p99 {p['lag_p99_ms']:.1f} ms, "
                  f"max {p['lag_max_ms']:.0f} ms, stalls >50 ms {p['stalls_over_50ms']}, "
                  f">200 ms {p['stalls_over_200ms']}; GC {gc_text}", flush=True)
    summaries = [summarize(kind, k, windows[kind], fleets[kind].setup_seconds, len(fleets[kind].processes))
                 for kind in args.servers if windows[kind]]
    return [w for kind in args.servers for w in windows[kind]], summaries


# ---------------------------------------------------------------------------------------------
# Join time with aiortc peers


@dataclass
class JoinRun:
    redeem_ms: float
    lobby_ms: float  # socket connected and the join ack says "lobby"
    admitted_ms: float  # the client got ``admitted`` (therapist bot admitted on the lobby update)
    in_room_ms: float  # second join ack: admitted, with the room's members
    offer_sent_ms: float  # offer created (aiortc gathers candidates here) and relayed (ack)
    answer_ms: float  # the therapist's answer arrived
    connected_ms: float  # ICE + DTLS connected on the client's peer connection
    first_frame_ms: float  # first remote video frame decoded by the client
    therapist_first_frame_ms: float  # and by the therapist, from the client
    load_average: float  # the machine's 1-minute load average when the run ended


def loopback_only_ice() -> None:
    """aioice leaves 127.0.0.1 out of its host candidates; the benchmark wants nothing else."""
    import aioice.ice

    aioice.ice.get_host_addresses = lambda use_ipv4=True, use_ipv6=True: [HOST]


def camera(video: VideoFormat):
    """A synthetic camera of ``video``'s size and frame rate, as the peers of one ratio all use."""
    from loadtest.camera import PatternTrack

    return lambda: PatternTrack(video.width, video.height, video.fps)


async def run_joins(args, ours: OurServerFactory, video: VideoFormat) -> list[JoinRun]:
    """Join runs with every peer sending ``video`` (both sides: the client and the therapist)."""
    loopback_only_ice()
    from aiortc import RTCConfiguration, RTCPeerConnection

    from tests.support.rtc_peer import RtcPeer
    from tests.support.world import SocketClient

    class LoopbackPeer(RtcPeer):
        """RtcPeer with no STUN server (aiortc's default is a public one) and phase timestamps."""

        def __init__(self, sock: SocketClient, participant_id: str) -> None:
            super().__init__(sock, participant_id, camera=camera(video))
            self.answer_at: dict[str, float] = {}
            self.connected_at: dict[str, float] = {}

        def _pc(self, remote: str) -> RTCPeerConnection:
            if remote not in self.pcs:
                pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
                pc.addTrack(self.camera())
                pc.on("track", lambda track: self._spawn(self._consume(remote, track)))

                @pc.on("connectionstatechange")
                def _state() -> None:
                    if pc.connectionState == "connected":
                        self.connected_at.setdefault(remote, time.monotonic())

                self.pcs[remote] = pc
            return self.pcs[remote]

        async def _on_signal(self, data: dict) -> None:
            if data.get("description", {}).get("type") == "answer":
                self.answer_at.setdefault(data["from"], time.monotonic())
            await super()._on_signal(data)

    async def wait_until(predicate, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():  # bounded by the deadline
            if time.monotonic() > deadline:
                raise TimeoutError("join step timed out")
            await asyncio.sleep(0.002)

    server = await ours.start()
    runs: list[JoinRun] = []
    early_admits = 0
    try:
        async with aiohttp.ClientSession() as http:
            api = Api(http, server.url)
            await api.login()
            for index in range(args.join_runs + 1):  # the first run warms up and is not counted
                session = await api.create_session("individual", f"Join run {index}")
                host_info = await api.host_token(session["id"])
                host_pid = host_info["participant"]["id"]
                link = await api.add_client(session["id"], f"Joiner {index}")
                client_pid = link["participant"]["id"]
                host = SocketClient(server.url)
                await host.connect(host_info["participant_token"])
                assert (await host.call("join"))["ok"]
                host_peer = LoopbackPeer(host, host_pid)

                async def admit_when_waiting(host=host, pid=client_pid) -> None:
                    await host.wait_for("lobby", lambda d: any(w["participant_id"] == pid for w in d["waiting"]),
                                        timeout=30)
                    ack = await host.call("admit", {"participant_id": pid})
                    assert ack["ok"], ack

                admitter = asyncio.create_task(admit_when_waiting())
                client = SocketClient(server.url)
                client_peer = None
                try:
                    t0 = time.monotonic()
                    redeemed = await api.redeem(link["join_url"], index)
                    t_redeem = time.monotonic()
                    await client.connect(redeemed["participant_token"])
                    ack = await client.call("join")
                    # A therapist who admits at once can win the race with this very ack: the
                    # server builds it after sending the lobby update, so it may already say
                    # "admitted". The ``admitted`` event comes either way.
                    assert ack["ok"] and ack["state"]["you"]["status"] in ("lobby", "admitted"), ack
                    t_lobby = time.monotonic()
                    early_admits += ack["state"]["you"]["status"] == "admitted"
                    client_peer = LoopbackPeer(client, client_pid)
                    await client.wait_for("admitted", timeout=30)
                    t_admitted = time.monotonic()
                    ack = await client.call("join")
                    assert ack["state"]["you"]["status"] == "admitted", ack
                    t_room = time.monotonic()
                    for member in ack["state"]["members"]:  # the newcomer offers to those in the room
                        if member["participant_id"] != client_pid:
                            await client_peer.offer_to(member["participant_id"])
                    t_offer = time.monotonic()
                    await wait_until(lambda: host_pid in client_peer.first_frame_at
                                     and client_pid in host_peer.first_frame_at, 30)
                    ms = lambda t: (t - t0) * 1000  # noqa: E731
                    run = JoinRun(
                        redeem_ms=ms(t_redeem), lobby_ms=ms(t_lobby), admitted_ms=ms(t_admitted),
                        in_room_ms=ms(t_room), offer_sent_ms=ms(t_offer),
                        answer_ms=ms(client_peer.answer_at[host_pid]),
                        connected_ms=ms(client_peer.connected_at.get(host_pid, float("nan"))),
                        first_frame_ms=ms(client_peer.first_frame_at[host_pid]),
                        therapist_first_frame_ms=ms(host_peer.first_frame_at[client_pid]),
                        load_average=os.getloadavg()[0],
                    )
                    if index > 0:
                        runs.append(run)
                    print(f"  join run {index}{' (warm-up, not counted)' if index == 0 else ''}: "
                          f"first frame after {run.first_frame_ms:.0f} ms (load average {run.load_average:.2f})",
                          flush=True)
                finally:
                    admitter.cancel()
                    await asyncio.gather(admitter, return_exceptions=True)
                    closers = [host_peer.close()] + ([client_peer.close()] if client_peer else [])
                    await asyncio.wait_for(asyncio.gather(*closers, return_exceptions=True), 15)
                    for sock in (client, host):
                        if sock.connected:
                            with contextlib.suppress(Exception):
                                await asyncio.wait_for(sock.disconnect(), 5)
                    with contextlib.suppress(Exception):
                        await api.end(session["id"])
    finally:
        server.stop()
    if early_admits:
        print(f"  note: in {early_admits} of {args.join_runs + 1} runs the first join ack already said "
              "'admitted' (the therapist bot admitted before the ack was built)", flush=True)
    return runs


# ---------------------------------------------------------------------------------------------
# Report


def relay_table(summaries: list[Summary]) -> str:
    header = (f"{'K':>4} {'rooms':>5} {'server':<6} {'win':>3} {'sent/s':>7} {'deliv/s':>7} {'lost':>5} {'ackerr':>6} "
              f"{'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>8} {'max ms':>8} {'srv CPU':>7} {'srv µs/msg':>10} "
              f"{'clients CPU':>11} {'other':>6} {'load':>5}")
    lines = [header, "-" * len(header)]
    for sm in summaries:
        lines.append(
            f"{sm.k:>4} {sm.rooms:>5} {sm.kind:<6} {sm.windows:>3} {sm.sent_per_s:>7.0f} {sm.delivered_per_s:>7.0f} "
            f"{sm.lost:>5} {sm.ack_errors:>6} {sm.p50_ms:>7.2f} {sm.p90_ms:>7.2f} {sm.p99_ms:>8.2f} "
            f"{sm.max_ms:>8.1f} {sm.server_cores:>7.0%} {sm.server_us_per_msg:>10.0f} {sm.clients_cores:>10.0%} "
            f"{sm.background_cores:>6.2f} {sm.load_average:>5.2f}")
    return "\n".join(lines)


def split_table(summaries: list[Summary]) -> str:
    header = (f"{'K':>4} {'rooms':>5} {'server':<6} {'SDP p50':>8} {'SDP p99':>8} {'ICE p50':>8} {'ICE p99':>8} "
              f"{'median window p99':>17} {'send lag p99':>12} {'setup s':>8} {'client procs':>12}")
    lines = [header, "-" * len(header)]
    for sm in summaries:
        lines.append(f"{sm.k:>4} {sm.rooms:>5} {sm.kind:<6} {sm.p50_description_ms:>8.2f} {sm.p99_description_ms:>8.2f} "
                     f"{sm.p50_candidate_ms:>8.2f} {sm.p99_candidate_ms:>8.2f} {sm.median_window_p99_ms:>17.2f} "
                     f"{sm.send_lag_p99_ms:>12.2f} {sm.setup_seconds:>8.1f} {sm.client_processes:>12}")
    return "\n".join(lines)


def windows_table(windows: list[Window]) -> str:
    header = (f"{'K':>4} {'round':>5} {'server':<6} {'lost':>5} {'p50 ms':>7} {'p99 ms':>8} {'srv CPU':>7} "
              f"{'clients CPU':>11} {'machine':>7} {'other':>6} {'load':>5}")
    lines = [header, "-" * len(header)]
    for w in sorted(windows, key=lambda w: (w.k, w.round, w.kind)):
        lines.append(f"{w.k:>4} {w.round + 1:>5} {w.kind:<6} {w.sent - w.delivered:>5} {w.p50_ms:>7.2f} "
                     f"{w.p99_ms:>8.2f} {w.server_cpu_s / w.duration:>7.0%} {w.clients_cpu_s / w.duration:>10.0%} "
                     f"{w.machine_busy:>7.0%} {w.background_cores:>6.2f} {w.load_average:>5.2f}")
    return "\n".join(lines)


def ratios(summaries: list[Summary], windows: list[Window]) -> dict[int, dict]:
    by = {(sm.kind, sm.k): sm for sm in summaries}
    out: dict[int, dict] = {}
    for k in sorted({sm.k for sm in summaries}):
        o, b = by.get(("ours", k)), by.get(("bare", k))
        if not (o and b):
            continue
        rounds: dict[int, dict[str, Window]] = {}
        for w in windows:
            if w.k == k:
                rounds.setdefault(w.round, {})[w.kind] = w
        paired = [r["ours"].p99_ms / r["bare"].p99_ms for r in rounds.values() if len(r) == 2]
        quietest = min((r for r in rounds.values() if len(r) == 2),
                       key=lambda r: r["ours"].background_cores + r["bare"].background_cores)
        out[k] = {
            "p50": o.p50_ms / b.p50_ms, "p99": o.p99_ms / b.p99_ms,
            "p99_paired_median": statistics.median(paired) if paired else float("nan"),
            "p99_quietest_round": quietest["ours"].p99_ms / quietest["bare"].p99_ms,
            "quietest_round_other_cores": max(quietest["ours"].background_cores, quietest["bare"].background_cores),
            "cpu_per_msg": o.server_us_per_msg / b.server_us_per_msg,
            "ours": {"sent": o.sent, "lost": o.lost, "ack_errors": o.ack_errors, "disconnects": o.disconnects,
                     "intact": o.intact},
            "bare": {"sent": b.sent, "lost": b.lost, "ack_errors": b.ack_errors, "disconnects": b.disconnects,
                     "intact": b.intact},
            "load_average": max(o.load_average, b.load_average),
        }
    return out


def verdict(ratio: dict, target: float, k: int) -> tuple[bool, str]:
    """Met only when the p99 ratio is within ``target`` and both relays delivered every message: a latency
    percentile of the messages that arrived says nothing of those that did not."""
    for kind, label in (("ours", "ours"), ("bare", "the bare relay (no valid baseline)")):
        counts = ratio[kind]
        if not counts["intact"]:
            return False, (f"target ≤ {target:g}× at K={k}: MISSED — {label} lost {counts['lost']} of "
                           f"{counts['sent']} messages, {counts['ack_errors']} ack errors, "
                           f"{counts['disconnects']} disconnects")
    met = ratio["p99"] <= target
    return met, f"target ≤ {target:g}× at K={k}: {'MET' if met else 'MISSED'}"


def ratio_table(table: dict[int, dict], target: float, target_k: int) -> str:
    header = (f"{'K':>4} {'rooms':>5} {'p50':>6} {'p99 pooled':>10} {'p99 paired median':>17} "
              f"{'p99 quietest round':>18} {'srv CPU/msg':>11} {'lost ours/bare':>14} {'load':>5}  "
              "verdict (p99 pooled, nothing lost)")
    lines = ["ours / bare (K clients in K/2 rooms of two)", header, "-" * len(header)]
    for k, r in table.items():
        text = verdict(r, target, k)[1] if k == target_k else ""
        lost = f"{r['ours']['lost']}/{r['bare']['lost']}"
        lines.append(f"{k:>4} {k // 2:>5} {r['p50']:>6.2f} {r['p99']:>10.2f} {r['p99_paired_median']:>17.2f} "
                     f"{r['p99_quietest_round']:>18.2f} {r['cpu_per_msg']:>11.2f} {lost:>14} "
                     f"{r['load_average']:>5.2f}  {text}")
    return "\n".join(lines)


def join_table(runs: list[JoinRun]) -> str:
    header = f"{'step (ms since link redemption began)':<44} {'median':>8} {'min':>8} {'max':>8}"
    lines = [header, "-" * len(header)]
    labels = {
        "redeem_ms": "link redeemed (POST /api/join)", "lobby_ms": "socket connected, in the lobby",
        "admitted_ms": "admitted by the therapist socket", "in_room_ms": "joined the room (state with members)",
        "offer_sent_ms": "offer created and relayed", "answer_ms": "answer received",
        "connected_ms": "ICE + DTLS connected", "first_frame_ms": "first remote video frame decoded",
        "therapist_first_frame_ms": "therapist decoded the client's first frame",
    }
    for key, label in labels.items():
        values = [getattr(r, key) for r in runs]
        lines.append(f"{label:<44} {statistics.median(values):>8.0f} {min(values):>8.0f} {max(values):>8.0f}")
    loads = [r.load_average for r in runs]
    label = "load average (1 min) at each run's end"
    lines.append(f"{label:<44} {statistics.median(loads):>8.2f} "
                 f"{min(loads):>8.2f} {max(loads):>8.2f}")
    return "\n".join(lines)


def describe_machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (f"{os.cpu_count()} cores ({model or 'unknown CPU'}), Python {sys.version.split()[0]}, "
            f"python-socketio {_version('python-socketio')}, aiohttp {_version('aiohttp')}, "
            f"aiortc {_version('aiortc')}")


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


async def main_async(args) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="steadyline-bench-"))
    ours = OurServerFactory(workdir)
    summaries: list[Summary] = []
    windows: list[Window] = []
    runs: dict[str, list[JoinRun]] = {}
    began = time.monotonic()
    print(f"Machine: {describe_machine()}", flush=True)
    if args.servers and not args.skip_relay:
        print(f"Relay: K in {args.ks}, rooms of two, {args.rate:g} msg/s per client, {args.rounds} round(s) of "
              f"{args.warmup:g} s warm-up + {args.duration:g} s measured per server and K, 1 in "
              f"{DESCRIPTION_EVERY} messages an SDP (~{len(SDP_BODY) // 100 / 10:g} KB), the rest ICE "
              f"candidates (~200 B); up to {args.workers} client processes per server.", flush=True)
    try:
        if args.servers and not args.skip_relay:
            for k in args.ks:
                level_windows, level_summaries = await run_k(k, args, workdir, ours)
                windows += level_windows
                summaries += level_summaries
        for video in args.join_cameras if not args.skip_join and args.join_runs > 0 else ():
            print(f"Join: {args.join_runs} runs (+1 warm-up) with aiortc peers over loopback, both sending "
                  f"{video.label} ...", flush=True)
            await wait_for_quiet(args.quiet_wait, args.max_background)
            runs[video.label] = await run_joins(args, ours, video)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    table = ratios(summaries, windows)
    if summaries:
        print("Relay throughput and one-way latency (sender -> server -> receiver), all windows pooled")
        print(relay_table(summaries))
        print()
        print(split_table(summaries))
        print()
        print("Windows (other = cores used by other work on the machine during the window)")
        print(windows_table(windows))
        print()
        if table:
            print(ratio_table(table, args.target, max(args.ks)))
            print()
    for label, camera_runs in runs.items():
        print(f"Join time, {len(camera_runs)} runs (therapist bot admits on the lobby update; aiortc VP8, both "
              f"peers {label})")
        print(join_table(camera_runs))
        print()
    print(f"Total wall time {time.monotonic() - began:.0f} s.")
    if args.json:
        def slim(w: Window) -> dict:
            return {k: v for k, v in asdict(w).items() if not k.startswith("latencies_")}

        Path(args.json).write_text(json.dumps({
            "machine": describe_machine(), "args": {k: v for k, v in vars(args).items() if k != "json"},
            "relay": [asdict(sm) | {"delivered_per_s": sm.delivered_per_s} for sm in summaries],
            "windows": [slim(w) for w in windows], "ratios": table,
            "join": {label: [asdict(r) for r in camera_runs] for label, camera_runs in runs.items()},
        }, indent=2, default=str))
    failed = any(w.errors or w.delivered == 0 for w in windows)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="K = 10, 50; 2 rounds of 5 s windows; 5 join runs")
    parser.add_argument("--ks", type=lambda s: [int(x) for x in s.split(",")], help="client counts, e.g. 10,50,200")
    parser.add_argument("--rate", type=float, default=10.0, help="messages per second per client")
    parser.add_argument("--duration", type=float, help="measured seconds per window")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each window")
    parser.add_argument("--workers", type=int, default=2, help="client processes (at most)")
    parser.add_argument("--join-runs", type=int, help="measured join runs (per camera)")
    parser.add_argument("--join-cameras", default="160x120,640x480",
                        help="camera sizes of the join runs, each measured in turn (default %(default)s)")
    parser.add_argument("--join-fps", type=int, default=30, help="camera frame rate of the join runs")
    parser.add_argument("--target", type=float, default=1.5, help="target p99 ratio ours/bare at the largest K")
    parser.add_argument("--servers", default="bare,ours", help="which relays to measure (bare,ours)")
    parser.add_argument("--rounds", type=int, help="measurement windows per server and K (alternating)")
    parser.add_argument("--retries", type=int, default=1,
                        help="extra rounds (at most) when no round was free of other work on the machine")
    parser.add_argument("--max-background", type=float, default=0.25,
                        help="cores of other work above which a window counts as disturbed")
    parser.add_argument("--quiet-wait", type=float, default=8,
                        help="seconds to wait at most for other work to calm down before each window")
    parser.add_argument("--skip-relay", action="store_true")
    parser.add_argument("--skip-join", action="store_true")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--probe", action="store_true",
                        help="run each server with an event-loop stall and GC-pause probe (diagnosis)")
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--serve-ours-probed", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--probe-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_bare:
        serve_bare(args.serve_bare, args.probe_file)
        return 0
    if args.serve_ours_probed:
        serve_ours_probed(args.serve_ours_probed)
        return 0
    args.servers = [x for x in args.servers.split(",") if x in ("bare", "ours")]
    args.retries = max(0, min(args.retries, 5))
    args.quiet_wait = max(0.0, min(args.quiet_wait, 600.0))
    args.ks = args.ks or ([10, 50] if args.quick else [10, 50, 200])
    if any(k < 2 or k % 2 for k in args.ks):
        parser.error("every K must be an even number of at least 2 (rooms of two)")
    args.duration = args.duration or (5.0 if args.quick else 10.0)
    args.rounds = max(1, min(args.rounds or (2 if args.quick else 3), 10))
    args.join_runs = args.join_runs if args.join_runs is not None else (5 if args.quick else 10)
    args.join_cameras = [VideoFormat.parse(size, args.join_fps) for size in args.join_cameras.split(",")]
    if not (0 < args.rate <= 100 and 0 < args.duration <= 120 and args.join_runs <= 50):
        parser.error("keep --rate in (0, 100], --duration in (0, 120] and --join-runs at most 50")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
