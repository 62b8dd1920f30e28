import base64
import json
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.db.field_crypto import (
    DecryptionError,
    FieldContextError,
    FieldKey,
    Keyring,
    KeyringError,
    MalformedCiphertextError,
    PlaintextError,
    UnknownKeyError,
    decrypt,
    encrypt,
    key_id_of,
    needs_rotation,
    reencrypt,
)

PLACE = {"table": "safety_plans", "record_id": "rec-1", "field": "warning_signs"}


def fixed_key(kid: str, fill: int) -> FieldKey:
    return FieldKey(kid, bytes([fill]) * 32)


@pytest.fixture
def keyring() -> Keyring:
    return Keyring([fixed_key("k1", 1)], "k1")


def flip_bit(token: str, part: int, position: int = 0) -> str:
    pieces = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(pieces[part] + "=" * (-len(pieces[part]) % 4)))
    raw[position] ^= 0x01
    pieces[part] = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    return ".".join(pieces)


# --- round trip and token form -------------------------------------------------


def test_round_trip(keyring):
    token = encrypt(keyring, "I feel unsafe tonight", **PLACE)
    assert decrypt(keyring, token, **PLACE) == "I feel unsafe tonight"


def test_token_is_compact_self_describing_text(keyring):
    token = encrypt(keyring, "PlaintextMarker", **PLACE)
    version, kid, nonce, ciphertext = token.split(".")
    assert (version, kid) == ("v1", "k1")
    assert token.isascii() and "PlaintextMarker" not in token
    assert len(base64.urlsafe_b64decode(nonce + "=" * (-len(nonce) % 4))) == 12
    assert key_id_of(token) == "k1"


def test_each_encryption_uses_a_fresh_nonce(keyring):
    first, second = (encrypt(keyring, "same", **PLACE) for _ in range(2))
    assert first != second
    assert first.split(".")[2] != second.split(".")[2]


def test_empty_string_round_trips(keyring):
    assert decrypt(keyring, encrypt(keyring, "", **PLACE), **PLACE) == ""


def test_record_id_may_be_int_or_uuid(keyring):
    rid = uuid.uuid4()
    token = encrypt(keyring, "v", table="t", record_id=rid, field="f")
    assert decrypt(keyring, token, table="t", record_id=str(rid), field="f") == "v"
    token = encrypt(keyring, "v", table="t", record_id=7, field="f")
    assert decrypt(keyring, token, table="t", record_id=7, field="f") == "v"


@settings(max_examples=200)
@given(plaintext=st.text(), record_id=st.text(min_size=1), field=st.text(min_size=1))
def test_round_trip_arbitrary_unicode(plaintext, record_id, field):
    ring = Keyring([fixed_key("k1", 1)], "k1")
    place = {"table": "notes", "record_id": record_id, "field": field}
    assert decrypt(ring, encrypt(ring, plaintext, **place), **place) == plaintext


# --- binding to the place -------------------------------------------------------


@pytest.mark.parametrize(
    "moved",
    [
        {"record_id": "rec-2"},
        {"field": "reasons_for_living"},
        {"table": "crisis_timelines"},
    ],
    ids=["other record", "other field", "other table"],
)
def test_value_moved_elsewhere_is_refused(keyring, moved):
    token = encrypt(keyring, "secret", **PLACE)
    with pytest.raises(DecryptionError) as info:
        decrypt(keyring, token, **{**PLACE, **moved})
    assert type(info.value) is DecryptionError


def test_place_components_cannot_be_shifted_between_parts(keyring):
    token = encrypt(keyring, "v", table="a.b", record_id="c", field="d")
    with pytest.raises(DecryptionError):
        decrypt(keyring, token, table="a", record_id="b.c", field="d")


@pytest.mark.parametrize("bad", [{"table": ""}, {"field": ""}, {"record_id": ""},
                                 {"record_id": None}, {"record_id": True}])
def test_missing_place_is_refused(keyring, bad):
    with pytest.raises(FieldContextError):
        encrypt(keyring, "v", **{**PLACE, **bad})


# --- tampering and malformed tokens ---------------------------------------------


@pytest.mark.parametrize("part,position", [(3, 0), (3, -1), (2, 0)],
                         ids=["ciphertext", "tag", "nonce"])
def test_bit_flipped_token_is_refused(keyring, part, position):
    token = encrypt(keyring, "do not change me", **PLACE)
    with pytest.raises(DecryptionError):
        decrypt(keyring, flip_bit(token, part, position), **PLACE)


def test_relabelled_key_id_is_refused():
    # Two ids for the same material: the id is authenticated, so relabelling fails.
    ring = Keyring([fixed_key("k1", 1), fixed_key("k2", 1)], "k1")
    token = encrypt(ring, "v", **PLACE)
    with pytest.raises(DecryptionError):
        decrypt(ring, token.replace("v1.k1.", "v1.k2.", 1), **PLACE)


def test_unknown_key_id_is_refused(keyring):
    other = Keyring([fixed_key("k9", 9)], "k9")
    token = encrypt(other, "v", **PLACE)
    with pytest.raises(UnknownKeyError, match="k9"):
        decrypt(keyring, token, **PLACE)


def test_wrong_material_under_same_id_is_refused(keyring):
    impostor = Keyring([fixed_key("k1", 2)], "k1")
    token = encrypt(impostor, "v", **PLACE)
    with pytest.raises(DecryptionError):
        decrypt(keyring, token, **PLACE)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "plain text",
        "v2.k1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",
        "v1.k1.AAAAAAAAAAAAAAAA",
        "v1.k1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.extra",
        "v1.k:1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",
        "v1.k1.AAAA.AAAAAAAAAAAAAAAAAAAAAA",
        "v1.k1.AAAAAAAAAAAAAAAA.AAAA",
        "v1.k1.AAAAAAAAAAAAAAA!.AAAAAAAAAAAAAAAAAAAAAA",
        "v1.k1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA==",
        "v1.k1.AAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",
    ],
)
def test_malformed_tokens_are_refused(keyring, token):
    with pytest.raises(MalformedCiphertextError):
        decrypt(keyring, token, **PLACE)


def test_non_canonical_base64_spelling_is_refused(keyring):
    # The nonce is 16 characters with no spare bits; the ciphertext of a one-byte
    # plaintext is 17 bytes = 23 characters, whose last one carries spare bits.
    token = encrypt(keyring, "x", **PLACE)
    head, last = token[:-1], token[-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = alphabet[alphabet.index(last) ^ 1]  # flips a bit the decoder would ignore
    with pytest.raises(MalformedCiphertextError):
        decrypt(keyring, head + twin, **PLACE)


def test_malformed_is_a_decryption_error():
    assert issubclass(MalformedCiphertextError, DecryptionError)
    assert issubclass(UnknownKeyError, DecryptionError)


def test_errors_never_carry_plaintext_or_key(keyring):
    token = encrypt(keyring, "PLAINTEXT-MARKER", **PLACE)
    with pytest.raises(DecryptionError) as info:
        decrypt(keyring, token, **{**PLACE, "record_id": "rec-2"})
    error = info.value
    key_b64 = keyring.active.to_base64()
    for text in (str(error), repr(error), repr(error.args)):
        assert "PLAINTEXT-MARKER" not in text and key_b64 not in text
    assert error.__cause__ is None and error.__context__ is None


def test_unencodable_plaintext_is_refused_without_echo(keyring):
    with pytest.raises(PlaintextError) as info:
        encrypt(keyring, "secret\ud800", **PLACE)
    assert "secret" not in str(info.value)
    assert info.value.__context__ is None
    with pytest.raises(PlaintextError):
        encrypt(keyring, b"bytes", **PLACE)


# --- rotation ------------------------------------------------------------------


def test_rotation_keeps_old_values_readable(keyring):
    old_token = encrypt(keyring, "before rotation", **PLACE)
    rotated = keyring.generate_key()
    assert rotated.kids[0] == "k1" and rotated.active.kid != "k1"
    assert keyring.active.kid == "k1"  # the original keyring is unchanged
    assert decrypt(rotated, old_token, **PLACE) == "before rotation"
    new_token = encrypt(rotated, "after rotation", **PLACE)
    assert key_id_of(new_token) == rotated.active.kid


def test_needs_rotation_and_reencrypt(keyring):
    old_token = encrypt(keyring, "value", **PLACE)
    rotated = keyring.generate_key("k2")
    assert not needs_rotation(old_token, keyring)
    assert needs_rotation(old_token, rotated)
    fresh = reencrypt(old_token, rotated, **PLACE)
    assert fresh is not None and key_id_of(fresh) == "k2"
    assert decrypt(rotated, fresh, **PLACE) == "value"
    assert reencrypt(fresh, rotated, **PLACE) is None
    retired = rotated.retire("k1")
    assert decrypt(retired, fresh, **PLACE) == "value"
    with pytest.raises(UnknownKeyError):
        decrypt(retired, old_token, **PLACE)


def test_reencrypt_checks_the_place(keyring):
    token = encrypt(keyring, "value", **PLACE)
    with pytest.raises(DecryptionError):
        reencrypt(token, keyring.generate_key(), **{**PLACE, "record_id": "rec-2"})


def test_active_key_cannot_be_retired(keyring):
    with pytest.raises(KeyringError):
        keyring.retire("k1")
    with pytest.raises(UnknownKeyError):
        keyring.generate_key("k2").retire("nope")


def test_generated_key_ids_are_unique_and_valid(keyring):
    ring = keyring.generate_key().generate_key()
    assert len(set(ring.kids)) == 3
    with pytest.raises(KeyringError):
        ring.generate_key(ring.active.kid)


# --- keys never print their material ----------------------------------------------


def test_key_repr_and_str_show_only_the_id():
    key = FieldKey.generate("k1")
    ring = Keyring([key], "k1")
    for text in (repr(key), str(key), repr(ring), str(ring), f"{key}", f"{[key]}"):
        assert "k1" in text
        assert key.to_base64() not in text
        assert repr(key.material) not in text
        assert key.material.hex() not in text
    assert repr(key) == "FieldKey(kid='k1')"


def test_keys_compare_by_id_and_material():
    assert fixed_key("a", 1) == fixed_key("a", 1)
    assert fixed_key("a", 1) != fixed_key("a", 2)
    assert fixed_key("a", 1) != fixed_key("b", 1)
    assert len({fixed_key("a", 1), fixed_key("a", 1)}) == 1


@pytest.mark.parametrize("kid,material", [("", b"\0" * 32), ("a.b", b"\0" * 32),
                                          ("a:b", b"\0" * 32), ("k", b"\0" * 16),
                                          ("k", "x" * 32)])
def test_invalid_keys_are_refused(kid, material):
    with pytest.raises(KeyringError):
        FieldKey(kid, material)


# --- key files and environment ----------------------------------------------------


def b64(fill: int) -> str:
    return base64.b64encode(bytes([fill]) * 32).decode()


def test_keyring_from_lines_last_is_active():
    text = f"# keys\nk1:{b64(1)}\n\nk2:{b64(2)}\n"
    ring = Keyring.from_text(text)
    assert ring.kids == ("k1", "k2") and ring.active.kid == "k2"
    assert Keyring.from_text(text, active="k1").active.kid == "k1"


def test_keyring_from_env_with_commas():
    env = {"STEADYLINE_FIELD_KEYS": f"k1:{b64(1)},k2:{b64(2)}"}
    ring = Keyring.from_env(environ=env)
    assert ring.kids == ("k1", "k2") and ring.active == fixed_key("k2", 2)


def test_keyring_from_env_missing():
    with pytest.raises(KeyringError, match="STEADYLINE_FIELD_KEYS"):
        Keyring.from_env(environ={})


def test_keyring_accepts_urlsafe_base64():
    raw = bytes(range(32))
    ring = Keyring.from_text("k1:" + base64.urlsafe_b64encode(raw).decode())
    assert ring.active.material == raw


def test_keyring_json_file_round_trip(tmp_path, keyring):
    ring = keyring.generate_key("k2")
    path = tmp_path / "keys.json"
    path.write_text(ring.to_json())
    loaded = Keyring.from_file(path)
    assert loaded.kids == ("k1", "k2") and loaded.active.kid == "k2"
    assert loaded.get("k1") == keyring.get("k1")
    doc = json.loads(path.read_text())
    assert doc["active"] == "k2"


def test_json_keyring_with_explicit_active():
    text = json.dumps({"active": "k1", "keys": {"k1": b64(1), "k2": b64(2)}})
    assert Keyring.from_text(text).active.kid == "k1"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment",
        "k1",
        f"k1:{b64(1)[:-8]}",
        "k1:not base64!!",
        f"k1:{b64(1)}\nk1:{b64(2)}",
        '{"keys": []}',
        '{"keys": {"k1": 5}}',
        "{not json",
        json.dumps({"active": "k9", "keys": {"k1": b64(1)}}),
    ],
)
def test_bad_key_text_is_refused(text):
    with pytest.raises(KeyringError):
        Keyring.from_text(text)


def test_bad_key_text_errors_do_not_echo_material():
    material = b64(7)
    unpadded = base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode()
    swapped = f"{unpadded}:{b64(1)}"  # key and id written the wrong way round
    for text in (material, f"bad id!:{material}", f"k1:{material[:-4]}", swapped):
        with pytest.raises(KeyringError) as info:
            Keyring.from_text(text)
        assert material[:20] not in str(info.value)
        assert unpadded[:20] not in str(info.value)


def test_missing_key_file(tmp_path):
    with pytest.raises(KeyringError, match="cannot read"):
        Keyring.from_file(tmp_path / "absent.json")


def test_keyring_requires_known_active_key():
    with pytest.raises(KeyringError):
        Keyring([fixed_key("k1", 1)], "k2")
