"""Personal join links: an opaque 256-bit token, shown once, stored only as its SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

TOKEN_BYTES = 32


@dataclass(frozen=True)
class IssuedLink:
    token: str
    token_hash: str

    def url(self, public_url: str, page: str = "join") -> str:
        # The token travels in the fragment: browsers never send it to the server or in a Referer.
        return f"{public_url}/{page}#{self.token}"

    def __repr__(self) -> str:
        return "IssuedLink(token=***)"


def new_link() -> IssuedLink:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return IssuedLink(token=token, token_hash=hash_token(token))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
