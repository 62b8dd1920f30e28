"""The JWT attack suite: every forged, stale or misused token is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from server.access.tokens import InvalidToken, TokenService

SECRET = "s" * 48
svc = TokenService(SECRET, "steadyline")


def _claims(**over) -> dict:
    now = int(time.time())
    claims = {"sub": "p1", "ses": "s1", "prg": "g1", "rol": "client", "inv": "i1", "typ": "participant",
              "iss": "steadyline", "aud": "steadyline:participant", "iat": now, "nbf": now,
              "exp": now + 600, "jti": "j1"}
    claims.update(over)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims: dict, key: str = SECRET, **kw) -> str:
    return jwt.encode(claims, key, algorithm="HS256", **kw)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_genuine_token_is_accepted():
    token = svc.issue_participant(participant_id="p1", session_id="s1", program_id="g1", role="client",
                                  invite_id="i1", ttl=60)
    claims = svc.verify_participant(token)
    assert (claims.participant_id, claims.session_id, claims.program_id) == ("p1", "s1", "g1")


def test_alg_none_is_refused():
    token = _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(_claims()) + "."
    with pytest.raises(InvalidToken):
        svc.verify_participant(token)


def test_hs256_signed_with_a_public_key_is_refused():
    """The key-confusion attack: an attacker signs HS256 with a public key they can see."""
    public_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = _b64({"alg": "HS256", "typ": "JWT"}) + "." + _b64(_claims())
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    forged = signing_input + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    with pytest.raises(InvalidToken):
        svc.verify_participant(forged)


def test_flipped_payload_byte_is_refused():
    header, payload, signature = _sign(_claims()).split(".")
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw[10] ^= 0x01
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(InvalidToken):
        svc.verify_participant(f"{header}.{tampered}.{signature}")


# Each case is a change to fresh claims, made when the test runs (not when it is collected: the suite
# may reach it many minutes later).
BAD_CLAIMS = {
    "no-exp": lambda now: {"exp": None},
    "expired": lambda now: {"exp": now - 120},  # beyond the leeway
    "future-nbf": lambda now: {"nbf": now + 600},  # not yet valid
    "wrong-aud": lambda now: {"aud": "someone-else"},
    "iss-prefixed": lambda now: {"iss": "steadyline-evil"},  # an issuer that only prefixes ours
    "iss-prefix": lambda now: {"iss": "steady"},  # an issuer that is a prefix of ours
    "no-jti": lambda now: {"jti": None},
    "no-iat": lambda now: {"iat": None},
    "no-typ": lambda now: {"typ": None},
}


@pytest.mark.parametrize("case", sorted(BAD_CLAIMS))
def test_bad_claims_are_refused(case):
    claims = _claims(**BAD_CLAIMS[case](int(time.time())))
    assert svc.verify_participant(_sign(_claims())).participant_id == "p1"  # the same claims unchanged pass
    with pytest.raises(InvalidToken):
        svc.verify_participant(_sign(claims))


def test_a_token_of_one_kind_is_not_accepted_as_another():
    access = svc.issue_access(staff_id="st1", staff_session_id="ss1", program_id="g1", role="therapist", ttl=60)
    participant = svc.issue_participant(participant_id="p1", session_id="s1", program_id="g1", role="client",
                                        invite_id=None, ttl=60)
    with pytest.raises(InvalidToken):
        svc.verify_participant(access)
    with pytest.raises(InvalidToken):
        svc.verify_access(participant)
    # right audience, wrong typ
    with pytest.raises(InvalidToken):
        svc.verify_participant(_sign(_claims(typ="access")))


def test_hostile_kid_header_is_ignored_not_followed():
    token = _sign(_claims(), headers={"kid": "../../etc/passwd"})
    assert svc.verify_participant(token).participant_id == "p1"  # kid never selects a key
    forged = _sign(_claims(), key="another-secret-" + "x" * 40, headers={"kid": "../../etc/passwd"})
    with pytest.raises(InvalidToken):
        svc.verify_participant(forged)


def test_unknown_crit_header_is_refused():
    token = _sign(_claims(), headers={"crit": ["exp-future"], "exp-future": True})
    with pytest.raises(InvalidToken):
        svc.verify_participant(token)


def test_signed_with_another_secret_is_refused():
    with pytest.raises(InvalidToken):
        svc.verify_participant(_sign(_claims(), key="z" * 48))


def test_garbage_is_refused():
    for junk in ["", "a.b", "a.b.c", "\u00ff" * 10, "x" * 5000]:
        with pytest.raises(InvalidToken):
            svc.verify_participant(junk)
