"""Settings: every knob is a ``STEADYLINE_*`` environment variable, validated once at start."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIN_SECRET_BYTES = 32  # 256 bits


class Settings(BaseSettings):
    """All configuration of one Steadyline process. Secrets are ``SecretStr`` and print masked."""

    model_config = SettingsConfigDict(
        env_prefix="STEADYLINE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    host: str = Field("127.0.0.1", description="Address to listen on.")
    port: int = Field(8443, ge=1, le=65535, description="Port to listen on.")
    public_url: str = Field(
        "", description="Base URL of the app as browsers reach it, printed in links (no trailing slash); "
        "unset = https://localhost:PORT (http:// when TLS is off).",
    )
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Further origins (scheme://host[:port], comma-separated) whose pages may "
        "open the signalling socket; the origin of the public URL is always accepted, every other is refused.",
    )
    tls_cert: Path | None = Field(
        Path("certs/dev-cert.pem"), description="PEM certificate; empty to serve plain HTTP behind a proxy."
    )
    tls_key: Path | None = Field(Path("certs/dev-key.pem"), description="PEM private key for `tls_cert`.")
    database_url: str = Field(
        "sqlite+aiosqlite:///steadyline.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///file.db or postgresql+asyncpg://…",
    )
    redis_url: str | None = Field(
        None, description="Redis URL for multi-node live state, Socket.IO fan-out and shared sign-in/redemption limits; "
                   "unset = in-process."
    )
    trust_forwarded_for: bool = Field(
        False, description="Take the client address from X-Forwarded-For (only behind a trusted proxy)."
    )
    jwt_secret: SecretStr = Field(
        ..., description="HMAC secret for tokens, at least 32 bytes (the server refuses to start otherwise)."
    )
    jwt_issuer: str = Field("steadyline", description="`iss` claim of every token.")
    staff_session_lifetime: int = Field(
        12 * 3600, ge=300, description="Absolute lifetime of a staff sign-in, seconds."
    )
    staff_idle_timeout: int = Field(
        900, ge=60, description="A staff sign-in ends after this many idle seconds — never while in a live call."
    )
    participant_token_ttl: int = Field(
        4 * 3600, ge=60, description="Participant (call) token lifetime, seconds."
    )
    link_grace: int = Field(
        900, ge=0, description="Seconds before a session's start that its join links already work."
    )
    room_max_participants: int = Field(12, ge=2, le=64, description="Most admitted members in one room.")
    max_message_bytes: int = Field(
        65536, ge=1024, description="Largest Socket.IO frame; bigger frames close that connection."
    )
    message_rate: float = Field(20.0, gt=0, description="Socket events per second per connection.")
    message_burst: int = Field(60, ge=1, description="Burst allowance of the per-connection rate limit.")
    message_flood_limit: int = Field(60, ge=1, description="Refused socket events (forgiven one a second) before "
                                     "a connection that keeps flooding is disconnected.")
    reconnect_window: float = Field(
        30.0, ge=0, description="Seconds a dropped member keeps their place before they count as gone."
    )
    media_workers: int | None = Field(
        None, ge=0, le=64, description="Worker processes that run group calls' media (aiortc peers, UDP), each "
        "restarted if it dies; unset = one per spare core (cores - 1, at least 1); 0 = in the serving process.",
    )
    node_heartbeat_interval: float = Field(
        2.0, gt=0, description="Several nodes (Redis): seconds between a node's heartbeats (and sweeps for dead ones).",
    )
    node_ttl: float = Field(
        8.0, gt=0, description="Several nodes: a node silent this many seconds is dead — its sockets are dropped "
        "and its group calls' media taken over by a survivor. Must exceed the heartbeat interval.",
    )
    ping_interval: int = Field(5, ge=1, description="Socket.IO ping interval, seconds.")
    ping_timeout: int = Field(10, ge=1, description="Socket.IO ping timeout, seconds.")
    stun_urls: list[str] = Field(
        default_factory=list, description='STUN URLs as JSON, e.g. ["stun:stun.example.org:3478"].'
    )
    turn_urls: list[str] = Field(default_factory=list, description="TURN URLs as JSON list.")
    turn_secret: SecretStr | None = Field(
        None, description="coturn `static-auth-secret` for time-limited TURN credentials."
    )
    turn_ttl: int = Field(3600, ge=60, description="Lifetime of TURN credentials, seconds.")
    crisis_line: str = Field("+1-555-0100", description="The program's 24/7 crisis line shown to clients.")
    crisis_hotline: str = Field("988", description="National crisis line shown in the lobby.")
    phone_region: str = Field(
        "US", pattern=r"^[A-Z]{2}$", description="The program's country (ISO 3166 two-letter code): phone numbers "
        "are shown formatted as people there write them; numbers of other countries in international form.",
    )
    emergency_number: str = Field("911", description="Emergency number shown in the lobby.")
    location_mismatch_m: float = Field(
        500.0, ge=0, description="Flag a client to their therapist when their device is this many metres "
        "further from the address they confirmed than both positions' accuracy allows.",
    )
    support_link_ttl: int = Field(
        600, ge=60, le=86400, description="Lifetime of a support person's single-use crisis invite link, seconds."
    )
    responder_link_ttl: int = Field(
        3600, ge=60, le=86400, description="Lifetime of a responder packet link, seconds (never past the "
        "packet's retention expiry).",
    )
    responder_link_grace: int = Field(
        600, ge=0, le=3600, description="Seconds a responder link keeps working after its crisis is closed, so a "
        "crew already on the way can finish reading it; then it answers 410.",
    )
    substance_use_program: bool = Field(
        False, description="The program's records are substance use disorder records under 42 CFR part 2: every "
        "responder packet carries the notice against redisclosure (a clinician can also tick it per packet).",
    )
    program_timezone: str = Field(
        "UTC", min_length=1, max_length=64, description="IANA time zone (e.g. `America/New_York`) given to new "
        "programs (an admin changes a program's own on the console); office hours, rosters and follow-ups are "
        "read on the program's clock.",
    )
    home_link_days: int = Field(
        180, ge=1, le=730, description="Lifetime of a client's standing link (\"my Steadyline\"), days; the care "
        "team rotates it by issuing a new one.",
    )
    home_token_ttl: int = Field(
        12 * 3600, ge=300, le=7 * 86400, description="Lifetime of the page token a standing link is exchanged "
        "for, seconds (the link itself stays valid).",
    )
    missed_session_after: float = Field(
        600.0, gt=0, description="Seconds after a session started that a client not let in (and not waiting in "
        "its lobby) counts as having missed it: an outreach task and an alert for the session's therapist.",
    )
    missed_session_escalate: int = Field(
        2, ge=1, description="Missed sessions (within `STEADYLINE_MISSED_SESSION_WINDOW_DAYS`) at which the "
        "clinical lead is alerted too.",
    )
    missed_session_window_days: int = Field(30, ge=1, le=365, description="The window in which missed sessions "
                                            "are counted for the escalation to the clinical lead, days.")
    outreach_sweep_interval: float = Field(
        30.0, ge=0, description="Seconds between the looks for missed sessions (every node looks; each miss is "
        "recorded once); 0 turns them off.",
    )
    check_in_sweep_interval: float = Field(
        300, ge=0, description="Seconds between checks for missed check-ins (two in a row raise an alert); 0: off.",
    )
    dashboard_sweep_interval: float = Field(
        10, ge=0, description="Seconds between checks that close live-dashboard sockets whose staff sign-in has "
        "ended on another node (the node that signs out closes its own at once; pushes stop at once everywhere); "
        "0: off.",
    )
    after_hours_check_in_days: int = Field(
        7, ge=1, le=30, description="Daily check-ins scheduled (with reminders) after a crisis that began with a "
        "help press outside a session.",
    )
    lost_contact_notify_support_after: float = Field(
        120.0, gt=0, description="Seconds after a crisis client was last seen (and not back within the reconnect "
        "window) that their consented support persons are told contact was lost.",
    )
    lost_contact_prompt_emergency_after: float = Field(
        300.0, gt=0, description="Seconds after a crisis client was last seen that the clinicians are prompted to "
        "call emergency services (never before the support-person step).",
    )
    on_call_grace: float = Field(
        60.0, ge=0, description="Seconds a crisis's clinician may be away before the on-call clinician is paged."
    )
    on_call_ack_timeout: float = Field(
        120.0, gt=0, description="Seconds a paged on-call clinician has to acknowledge (join the crisis or press "
        "\"I'm on it\") before the backup is paged, and as long again before the clinical lead is alerted.",
    )
    step_engine: Literal["auto", "embedded", "procrastinate"] = Field(
        "auto", description="What carries out the durable crisis steps: `procrastinate` (a job queue in the "
        "PostgreSQL database, for several nodes), `embedded` (this process alone, re-armed from the database at "
        "start), or `auto`: procrastinate on PostgreSQL, embedded on SQLite.",
    )
    on_call_link_ttl: int = Field(
        600, ge=60, le=86400, description="Lifetime of the on-call clinician's single-use crisis link, seconds."
    )
    smtp_host: str | None = Field(None, description="SMTP server for support-person invitations; unset = no email.")
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP server port.")
    smtp_from: str = Field("steadyline@localhost", description="From address of invitation emails.")
    notify_webhook_url: str | None = Field(
        None, description="URL that receives signed JSON notifications (e.g. an SMS gateway); unset = none."
    )
    notify_webhook_secret: SecretStr | None = Field(
        None, description="HMAC-SHA256 key signing webhook bodies (header X-Steadyline-Signature)."
    )
    field_keys: SecretStr | None = Field(
        None, description="Encryption keys for health-information fields (`kid:base64key,…` or JSON); "
        "takes precedence over the key file.",
    )
    field_keys_file: Path = Field(
        Path("certs/field-keys.json"), description="Key file for field encryption (mode 0600; never in the database)."
    )
    audit_secret: SecretStr | None = Field(
        None, description="HMAC key sealing the audit chain (at least 32 bytes); takes precedence over "
        "`audit_key_file`. Never derived from the token secret: one of the two is required.",
    )
    audit_key_file: Path = Field(
        Path("certs/audit-key"), description="File holding the audit chain key (base64url, mode 0600; "
        "`steadyline init-dev` or `steadyline audit init-keys` writes it).",
    )
    audit_signing_key_file: Path = Field(
        Path("certs/audit-signing-key.pem"), description="Ed25519 private key (PEM, mode 0600) signing audit "
        "checkpoints; needed only where checkpoints are written. Keep it off the database host.",
    )
    audit_public_key_file: Path = Field(
        Path("certs/audit-public-key.pem"), description="Ed25519 public key that `steadyline audit verify` "
        "checks checkpoints with (all a verifier needs).",
    )
    audit_checkpoint_file: Path = Field(
        Path("audit-checkpoints.jsonl"), description="Where signed audit head checkpoints are appended "
        "(created mode 0600; copy it off the database host)."
    )
    audit_checkpoint_interval: float = Field(
        300.0, ge=0, description="Seconds between audit checkpoints written by the server; 0 = off."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.")
    log_json: bool = Field(True, description="JSON logs (true) or human-readable console logs (false).")
    drain_seconds: float = Field(10.0, ge=0, description="Graceful shutdown: how long to drain.")
    demo: bool = Field(False, description="Create a demo program, therapist and session on a fresh database.")

    @field_validator("jwt_secret", "audit_secret")
    @classmethod
    def _secret_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"must be at least {MIN_SECRET_BYTES} bytes (256 bits)")
        return value

    @field_validator("program_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone such as UTC or America/New_York") from None
        return value

    @field_validator("tls_cert", "tls_key", mode="before")
    @classmethod
    def _empty_means_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if value:
            origin_of(value)  # refuses a URL without scheme and host
        return value.rstrip("/")

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str) and value.lstrip().startswith("["):
            return json.loads(value)
        if isinstance(value, str):
            return [part for part in (p.strip() for p in value.split(",")) if part]
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _only_origins(cls, value: list[str]) -> list[str]:
        origins = []
        for entry in value:
            parts = urlsplit(entry)
            if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
                raise ValueError(f"{entry!r} is not an origin: give only scheme://host[:port], e.g. {origin_of(entry)}")
            origins.append(origin_of(entry))
        return origins

    @model_validator(mode="after")
    def _default_public_url(self) -> "Settings":
        if not self.public_url:
            scheme = "https" if self.tls_enabled else "http"
            self.public_url = f"{scheme}://localhost:{self.port}"
        return self

    @property
    def accepted_origins(self) -> tuple[str, ...]:
        """The origins whose pages may open the signalling socket: the public URL's, then the extra ones."""
        return tuple(dict.fromkeys([origin_of(self.public_url), *self.allowed_origins]))

    @property
    def tls_enabled(self) -> bool:
        return bool(self.tls_cert and self.tls_key)


DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """The origin of a URL as a browser sends it in ``Origin``: lower-case, default port left out."""
    parts = urlsplit(url.strip())
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"{url!r} needs an http:// or https:// scheme and a host")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{url!r} has an invalid port") from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    suffix = "" if port in (None, DEFAULT_PORTS[parts.scheme]) else f":{port}"
    return f"{parts.scheme}://{host}{suffix}"
