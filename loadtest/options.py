"""What a load test is asked to do: the command's options, parsed and checked once."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import InvalidOptionsError

TOKEN_VARIABLE = "STEADYLINE_LOADTEST_TOKEN"


@dataclass(frozen=True)
class VideoFormat:
    width: int
    height: int
    fps: int

    def __post_init__(self) -> None:
        if self.width < 16 or self.height < 16 or self.width % 2 or self.height % 2:
            raise InvalidOptionsError(f"video size {self.width}x{self.height}: even sides of at least 16 pixels")
        if not 1 <= self.fps <= 60:
            raise InvalidOptionsError(f"video frame rate {self.fps}: 1 to 60")

    @property
    def label(self) -> str:
        return f"{self.width}x{self.height} at {self.fps} fps"

    @classmethod
    def parse(cls, size: str, fps: int) -> VideoFormat:
        width, _, height = size.lower().partition("x")
        if not (width.isdigit() and height.isdigit()):
            raise InvalidOptionsError(f"video size {size!r}: WIDTHxHEIGHT, e.g. 640x480")
        return cls(int(width), int(height), fps)


@dataclass(frozen=True)
class LoadOptions:
    """Either a staff access token (``url``, ``participants``, ``room_size``: the tool makes group
    sessions and hosts them) or personal ``join_links`` (someone else admits those participants)."""

    url: str
    token: str | None
    join_links: tuple[str, ...]
    participants: int
    room_size: int
    duration: float
    spawn_rate: float
    processes: int
    video: VideoFormat
    light: bool
    insecure: bool
    cafile: Path | None
    progress: bool

    def __post_init__(self) -> None:
        if not self.token and not self.join_links:
            raise InvalidOptionsError(f"give a staff token ({TOKEN_VARIABLE} or --token) or --join-link")
        if self.token and self.join_links:
            raise InvalidOptionsError("a staff token or --join-link, not both")
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise InvalidOptionsError(f"--url {self.url!r}: an http:// or https:// address")
        if self.participants < 1 or not 1 <= self.room_size <= 63:
            raise InvalidOptionsError("--participants at least 1, --room-size 1 to 63")
        if self.duration <= 0 or self.spawn_rate <= 0:
            raise InvalidOptionsError("--duration and --spawn-rate must be positive")
        if not 1 <= self.processes <= 64:
            raise InvalidOptionsError("--processes 1 to 64")
        if self.insecure and self.cafile is not None:
            raise InvalidOptionsError("--insecure and --cafile exclude each other")

    @property
    def rooms(self) -> int:
        return -(-self.participants // self.room_size)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", default="https://localhost:8443",
                        help="the server's public URL (default %(default)s; with --join-link, the links' origin)")
    parser.add_argument("--token", help=f"a staff access token (POST /api/auth/login); better in {TOKEN_VARIABLE}")
    parser.add_argument("--join-link", action="append", default=[], metavar="URL",
                        help="a personal join link (repeat for more participants); someone must admit them")
    parser.add_argument("-n", "--participants", type=int, default=4,
                        help="synthetic clients to create with a staff token (default %(default)s)")
    parser.add_argument("--room-size", type=int, default=8,
                        help="clients per group session, besides its synthetic host (default %(default)s)")
    parser.add_argument("--duration", type=float, default=30, help="seconds the whole run takes (default %(default)s)")
    parser.add_argument("--spawn-rate", type=float, default=5, help="participants started per second (default %(default)s)")
    parser.add_argument("--processes", type=int, default=1,
                        help="load-generating processes, whole sessions (or links) shared out (default %(default)s)")
    parser.add_argument("--video", default="320x240", help="synthetic camera size (default %(default)s)")
    parser.add_argument("--fps", type=int, default=15, help="synthetic camera frame rate (default %(default)s)")
    parser.add_argument("--light", action="store_true",
                        help="send a pre-encoded clip instead of encoding a camera, and count received frames from "
                             "RTP headers instead of decoding them: several times the participants per machine, "
                             "but nothing checks that the video decodes")
    trust = parser.add_mutually_exclusive_group()
    trust.add_argument("--cafile", type=Path, help="trust this CA or self-signed certificate (e.g. certs/dev-cert.pem)")
    trust.add_argument("--insecure", action="store_true", help="do not verify the server's certificate")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")


def options_from(args: argparse.Namespace) -> LoadOptions:
    links = tuple(args.join_link)
    url = args.url
    if links:
        parts = urlsplit(links[0])
        url = f"{parts.scheme}://{parts.netloc}"
    return LoadOptions(
        url=url.rstrip("/"), token=args.token or (None if links else os.environ.get(TOKEN_VARIABLE)) or None,
        join_links=links,
        participants=len(links) or args.participants, room_size=args.room_size, duration=args.duration,
        spawn_rate=args.spawn_rate, processes=args.processes, video=VideoFormat.parse(args.video, args.fps),
        light=args.light, insecure=args.insecure, cafile=args.cafile, progress=args.progress)
