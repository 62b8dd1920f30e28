import argparse

from loadtest.options import add_arguments, options_from
from loadtest.rest_client import Entry, Room
from loadtest.run import _shards


def _options(*argv: str):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return options_from(parser.parse_args(argv))


def _room(index: int, clients: int) -> Room:
    return Room(f"s{index}", Entry(f"h{index}", "t"), tuple(f"https://h/join#{index}-{c}" for c in range(clients)))


def test_whole_rooms_go_to_one_process_so_each_host_admits_its_own_clients():
    rooms = [_room(i, 2) for i in range(3)]
    shards = _shards(rooms, _options("--token", "t", "--processes", "2"))
    assert [[h.participant_id for h in s.hosts] for s in shards] == [["h0", "h2"], ["h1"]]
    assert shards[1].join_links == ("https://h/join#1-0", "https://h/join#1-1")


def test_never_more_processes_than_rooms_or_links():
    assert len(_shards([_room(0, 5)], _options("--token", "t", "--processes", "4"))) == 1
    links = _options("--join-link", "https://h/join#a", "--join-link", "https://h/join#b", "--processes", "8")
    assert [s.join_links for s in _shards([], links)] == [("https://h/join#a",), ("https://h/join#b",)]
