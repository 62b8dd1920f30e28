import base64
import hashlib
import hmac

from signaling.ice import IceConfig, ice_servers, turn_credentials


def test_turn_credentials_follow_coturn_use_auth_secret():
    username, password = turn_credentials("sharedsecret", "participant-1", ttl=600, now=1_000_000)
    assert username == "1000600:participant-1"
    expected = base64.b64encode(hmac.new(b"sharedsecret", username.encode(), hashlib.sha1).digest()).decode()
    assert password == expected


def test_ice_servers_include_turn_only_with_a_secret():
    config = IceConfig(stun_urls=("stun:stun.example.test:3478",), turn_urls=("turn:turn.example.test:3478",))
    assert ice_servers(config, "p") == [{"urls": ["stun:stun.example.test:3478"]}]
    with_secret = IceConfig(turn_urls=("turn:turn.example.test:3478",), turn_secret="s", turn_ttl=60)
    (turn,) = ice_servers(with_secret, "p")
    assert turn["username"].endswith(":p") and turn["credential"]
    assert "s" not in repr(with_secret).split("turn_urls")[0].replace("stun_urls", "")
