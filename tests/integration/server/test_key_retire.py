"""`steadyline keys retire KID` refuses while any value is still encrypted with that key."""

from __future__ import annotations

from server.db.field_keys import KeySource, new_keyring, write_key_file
from tests.conftest import TEST_SECRET
from tests.integration.server.test_encryption_at_rest import _seed, _store
from tests.support.steadyline_cli import cli_env, steadyline


async def test_a_key_still_in_use_is_not_retired(tmp_path, sqlite_url):
    key_file = tmp_path / "field-keys.json"
    write_key_file(key_file, new_keyring())
    keys = KeySource(None, key_file)
    store, engine = await _store(sqlite_url, keys)
    await _seed(store)
    await engine.dispose()
    old_kid = keys.keyring.active.kid
    write_key_file(key_file, keys.keyring.generate_key())  # a new active key, nothing re-encrypted yet
    env = cli_env(database_url=sqlite_url, jwt_secret=TEST_SECRET, field_keys_file=str(key_file))
    code, output = await steadyline("keys", "retire", old_kid, env=env, cwd=tmp_path)
    assert code != 0 and f"3 values still use key {old_kid}" in output, output
    assert old_kid in KeySource(None, key_file).keyring.kids
