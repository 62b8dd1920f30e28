"""Settings that decide where the app is reached: the public URL and the accepted origins."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from server.settings import Settings, origin_of

SECRET = "s" * 40


def settings(**values) -> Settings:
    return Settings(jwt_secret=SECRET, _env_file=None, **values)


def test_the_public_url_follows_the_port_and_tls_when_unset():
    assert settings().public_url == "https://localhost:8443"
    assert settings(port=9443).public_url == "https://localhost:9443"
    assert settings(port=8080, tls_cert="", tls_key="").public_url == "http://localhost:8080"
    assert settings(public_url="https://care.example.org/").public_url == "https://care.example.org"


def test_the_public_urls_origin_is_accepted_first_then_the_listed_ones():
    s = settings(public_url="https://care.example.org:443", allowed_origins=["https://Portal.Example.org:8443"])
    assert s.accepted_origins == ("https://care.example.org", "https://portal.example.org:8443")


def test_allowed_origins_from_the_environment_as_a_comma_list_or_json(monkeypatch):
    monkeypatch.setenv("STEADYLINE_ALLOWED_ORIGINS", "https://a.example.org, http://127.0.0.1:8080")
    assert settings().allowed_origins == ["https://a.example.org", "http://127.0.0.1:8080"]
    monkeypatch.setenv("STEADYLINE_ALLOWED_ORIGINS", '["https://b.example.org"]')
    assert settings().allowed_origins == ["https://b.example.org"]


@pytest.mark.parametrize("bad", ["https://a.example.org/app", "a.example.org", "ftp://a.example.org",
                                 "https://a.example.org/?x=1", "https://user@a.example.org"])
def test_an_allowed_origin_must_be_only_an_origin(bad):
    with pytest.raises(ValidationError):
        settings(allowed_origins=[bad])


def test_a_public_url_without_scheme_is_refused():
    with pytest.raises(ValidationError):
        settings(public_url="care.example.org")


@pytest.mark.parametrize(("url", "origin"), [
    ("https://localhost:8443/console", "https://localhost:8443"),
    ("HTTPS://Care.Example.org:443", "https://care.example.org"),
    ("http://care.example.org:80/", "http://care.example.org"),
    ("http://[::1]:8080", "http://[::1]:8080"),
])
def test_origins_are_written_as_browsers_send_them(url, origin):
    assert origin_of(url) == origin
