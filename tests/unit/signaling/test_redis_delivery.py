"""Cross-node delivery's listener: the wait between tries to subscribe again is capped, and the one
python-socketio internal it relies on is still there (a newer python-socketio fails here, not in a call)."""

from __future__ import annotations

import inspect
from itertools import islice

import pytest
import socketio
from socketio.async_pubsub_manager import AsyncPubSubManager

from signaling.redis_delivery import RETRY_CAP, RedisDelivery, retry_delays


def test_the_wait_doubles_and_never_passes_the_cap():
    assert list(islice(retry_delays(0.25, 2.0), 7)) == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0, 2.0]
    assert max(islice(retry_delays(), 1000)) == RETRY_CAP <= 2.0
    with pytest.raises(ValueError):
        next(retry_delays(3.0, 2.0))


def test_python_socketio_still_reads_its_messages_through_the_method_we_replace():
    assert inspect.isasyncgenfunction(socketio.AsyncRedisManager._redis_listen_with_retries)
    assert "self._redis_listen_with_retries()" in inspect.getsource(socketio.AsyncRedisManager._listen)
    assert "self._listen()" in inspect.getsource(AsyncPubSubManager._thread)
    assert inspect.isasyncgenfunction(RedisDelivery._redis_listen_with_retries)
