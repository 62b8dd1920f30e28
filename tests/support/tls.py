"""TLS as users run it: the development certificate made by the project's own code
(``steadyline init-dev`` / ``server.http.dev_certs``), and clients that trust it the way a person
accepts it once in their browser."""

from __future__ import annotations

import atexit
import functools
import shutil
import ssl
import tempfile
from pathlib import Path

import aiohttp

from server.http.dev_certs import generate_dev_certificate


@functools.cache
def dev_certificate() -> tuple[Path, Path]:
    """One certificate and key for the whole test process (SAN localhost, 127.0.0.1, ::1)."""
    folder = Path(tempfile.mkdtemp(prefix="steadyline-certs-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    cert, key = folder / "dev-cert.pem", folder / "dev-key.pem"
    generate_dev_certificate(cert, key)
    return cert, key


def trusting_ssl_context(cert: Path | None = None) -> ssl.SSLContext:
    """A client context that verifies the server against the development certificate (hostname too)."""
    return ssl.create_default_context(cafile=str(cert or dev_certificate()[0]))


def trusting_session(cert: Path | None = None) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=trusting_ssl_context(cert)))
