"""How the load tester trusts the server: the system's CAs, a given CA file (the self-signed development
certificate), or nothing at all (``--insecure``)."""

from __future__ import annotations

import ssl
from pathlib import Path


def client_ssl_context(cafile: Path | None, insecure: bool) -> ssl.SSLContext:
    if insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=str(cafile) if cafile else None)
