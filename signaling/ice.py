"""ICE servers for clients, with time-limited TURN credentials in coturn's ``use-auth-secret`` form:
username = ``<expiry unix time>:<user id>``, password = base64(HMAC-SHA1(secret, username))."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class IceConfig:
    stun_urls: tuple[str, ...] = ()
    turn_urls: tuple[str, ...] = ()
    turn_secret: str | None = None
    turn_ttl: int = 3600

    def __repr__(self) -> str:
        return f"IceConfig(stun_urls={self.stun_urls}, turn_urls={self.turn_urls}, turn_ttl={self.turn_ttl})"


def turn_credentials(secret: str, user_id: str, ttl: int, now: float | None = None) -> tuple[str, str]:
    expiry = int((time.time() if now is None else now) + ttl)
    username = f"{expiry}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(config: IceConfig, user_id: str) -> list[dict]:
    servers: list[dict] = []
    if config.stun_urls:
        servers.append({"urls": list(config.stun_urls)})
    if config.turn_urls and config.turn_secret:
        username, credential = turn_credentials(config.turn_secret, user_id, config.turn_ttl)
        servers.append({"urls": list(config.turn_urls), "username": username, "credential": credential})
    return servers
