"""Signed tokens (PyJWT, HS256 pinned). Two kinds, never interchangeable: a staff *access* token
and a *participant* token for one person in one session. Each kind has its own audience and
``typ``; ``exp``, ``iat``, ``aud``, ``iss``, ``typ`` and ``jti`` are required."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt

from server.errors import Unauthorized

ALGORITHM = "HS256"
LEEWAY_SECONDS = 10
REQUIRED_CLAIMS = ["exp", "iat", "aud", "iss", "typ", "jti", "sub"]


DEVICE_TOKEN_TTL = 180 * 24 * 3600


class TokenKind(str, enum.Enum):
    ACCESS = "access"
    PARTICIPANT = "participant"
    DEVICE = "device"  # "this browser signed in to this account before": sign-in lockouts spare it
    ON_CALL_ANSWER = "on_call_answer"  # a paged clinician's "I'm on it" (their place in the crisis session)
    HOME = "home"  # a client on their own page ("my Steadyline"), from their standing link


@dataclass(frozen=True)
class AccessClaims:
    staff_id: str
    staff_session_id: str
    program_id: str
    role: str
    token_id: str
    expires_at: datetime


@dataclass(frozen=True)
class ParticipantClaims:
    participant_id: str
    session_id: str
    program_id: str
    role: str
    invite_id: str | None
    staff_session_id: str | None
    token_id: str
    expires_at: datetime
    standing_link_id: str | None = None  # made by the client's own page: holds while that link works


class InvalidToken(Unauthorized):
    code = "invalid_token"
    message = "Your sign-in is not valid or has expired. Please sign in again."


class TokenService:
    def __init__(self, secret: str, issuer: str) -> None:
        self._secret = secret
        self._issuer = issuer

    def __repr__(self) -> str:
        return f"TokenService(issuer={self._issuer!r})"

    def _audience(self, kind: TokenKind) -> str:
        return f"{self._issuer}:{kind.value}"

    def _encode(self, kind: TokenKind, subject: str, ttl: int, claims: dict) -> str:
        now = datetime.now(timezone.utc)
        payload = {
            **claims,
            "sub": subject,
            "typ": kind.value,
            "iss": self._issuer,
            "aud": self._audience(kind),
            "iat": now,
            "nbf": now,
            "exp": now + timedelta(seconds=ttl),
            "jti": secrets.token_hex(16),
        }
        return jwt.encode(payload, self._secret, algorithm=ALGORITHM, headers={"typ": "JWT"})

    def _decode(self, token: str, kind: TokenKind) -> dict:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=self._audience(kind),
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS, "strict_aud": True},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise InvalidToken() from exc
        if claims.get("typ") != kind.value:
            raise InvalidToken()
        return claims

    def issue_access(self, *, staff_id: str, staff_session_id: str, program_id: str, role: str, ttl: int) -> str:
        return self._encode(TokenKind.ACCESS, staff_id, ttl, {"prg": program_id, "rol": role, "ssn": staff_session_id})

    def issue_participant(
        self, *, participant_id: str, session_id: str, program_id: str, role: str,
        invite_id: str | None, ttl: int, staff_session_id: str | None = None, standing_link_id: str | None = None,
    ) -> str:
        claims = {"ses": session_id, "prg": program_id, "rol": role, "inv": invite_id, "ssn": staff_session_id}
        if standing_link_id is not None:
            claims["hln"] = standing_link_id
        return self._encode(TokenKind.PARTICIPANT, participant_id, ttl, claims)

    def issue_device(self, *, account_digest: str, device_id: str, ttl: int = DEVICE_TOKEN_TTL) -> str:
        return self._encode(TokenKind.DEVICE, account_digest, ttl, {"dev": device_id})

    def issue_on_call_answer(self, *, participant_id: str, crisis_id: str, ttl: int) -> str:
        return self._encode(TokenKind.ON_CALL_ANSWER, participant_id, ttl, {"cri": crisis_id})

    def verify_on_call_answer(self, token: str) -> tuple[str, str]:
        """(the paged clinician's place id, the crisis id) of a valid "I'm on it" token."""
        c = self._decode(token, TokenKind.ON_CALL_ANSWER)
        if not isinstance(c.get("cri"), str):
            raise InvalidToken()
        return str(c["sub"]), c["cri"]

    def issue_home(self, *, client_id: str, program_id: str, link_id: str, ttl: int) -> str:
        return self._encode(TokenKind.HOME, client_id, ttl, {"prg": program_id, "lnk": link_id})

    def verify_home(self, token: str) -> tuple[str, str, str]:
        """(client id, program id, standing link id) of a valid home token."""
        c = self._decode(token, TokenKind.HOME)
        if not isinstance(c.get("prg"), str) or not isinstance(c.get("lnk"), str):
            raise InvalidToken()
        return str(c["sub"]), c["prg"], c["lnk"]

    def device_of(self, token: str | None, account_digest: str) -> str | None:
        """The device id of a valid device token for this account; None for anything else."""
        if not token:
            return None
        try:
            claims = self._decode(token, TokenKind.DEVICE)
        except InvalidToken:
            return None
        device = claims.get("dev")
        return device if claims.get("sub") == account_digest and isinstance(device, str) and device else None

    def verify_access(self, token: str) -> AccessClaims:
        c = self._decode(token, TokenKind.ACCESS)
        try:
            return AccessClaims(
                staff_id=str(c["sub"]), staff_session_id=str(c["ssn"]), program_id=str(c["prg"]), role=str(c["rol"]),
                token_id=str(c["jti"]), expires_at=datetime.fromtimestamp(c["exp"], timezone.utc),
            )
        except KeyError as exc:
            raise InvalidToken() from exc

    def verify_participant(self, token: str) -> ParticipantClaims:
        c = self._decode(token, TokenKind.PARTICIPANT)
        try:
            return ParticipantClaims(
                participant_id=str(c["sub"]), session_id=str(c["ses"]), program_id=str(c["prg"]),
                role=str(c["rol"]), invite_id=c.get("inv"), staff_session_id=c.get("ssn"), token_id=str(c["jti"]),
                expires_at=datetime.fromtimestamp(c["exp"], timezone.utc), standing_link_id=c.get("hln"),
            )
        except KeyError as exc:
            raise InvalidToken() from exc
