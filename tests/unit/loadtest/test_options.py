import argparse

import pytest

from loadtest.errors import InvalidOptionsError
from loadtest.options import TOKEN_VARIABLE, VideoFormat, add_arguments, options_from


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def test_a_staff_token_makes_rooms_of_the_room_size(monkeypatch):
    monkeypatch.setenv(TOKEN_VARIABLE, "staff-token")
    options = options_from(_parse("-n", "10", "--room-size", "4", "--video", "640x480", "--fps", "30"))
    assert options.token == "staff-token" and options.rooms == 3
    assert options.video == VideoFormat(640, 480, 30)


def test_join_links_give_the_participants_and_the_server(monkeypatch):
    monkeypatch.setenv(TOKEN_VARIABLE, "staff-token")  # the links win over a token left in the environment
    options = options_from(_parse("--join-link", "https://calls.example:8443/join#a",
                                  "--join-link", "https://calls.example:8443/join#b"))
    assert options.token is None and options.participants == 2 and options.url == "https://calls.example:8443"


@pytest.mark.parametrize("argv", [
    (),  # neither a token nor a link
    ("--token", "t", "--join-link", "https://h/join#a"),
    ("--token", "t", "--video", "640"),
    ("--token", "t", "--video", "641x480"),
    ("--token", "t", "--fps", "0"),
    ("--token", "t", "--duration", "0"),
    ("--token", "t", "--room-size", "64"),
    ("--token", "t", "--url", "ftp://h"),
    ("--token", "t", "--processes", "0"),
])
def test_options_that_describe_no_load_test_are_refused(monkeypatch, argv):
    monkeypatch.delenv(TOKEN_VARIABLE, raising=False)
    with pytest.raises(InvalidOptionsError):
        options_from(_parse(*argv))


def test_light_is_off_unless_asked_for(monkeypatch):
    monkeypatch.setenv(TOKEN_VARIABLE, "staff-token")
    assert not options_from(_parse()).light
    assert options_from(_parse("--light")).light
