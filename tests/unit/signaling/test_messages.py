import pytest
from pydantic import ValidationError

from signaling.messages import Signal, SignalOut


def test_signal_carries_exactly_one_of_description_or_candidate():
    assert Signal.model_validate({"to": "p", "description": {"type": "offer", "sdp": "v=0"}})
    assert Signal.model_validate({"to": "p", "candidate": {"candidate": "candidate:1 1 udp 1 1.2.3.4 5 typ host"}})
    for bad in ({"to": "p"}, {"to": "p", "description": {"type": "offer", "sdp": ""}, "candidate": {"candidate": ""}}):
        with pytest.raises(ValidationError):
            Signal.model_validate(bad)


def test_outbound_signal_names_its_sender_from():
    out = SignalOut(from_="p1", description={"type": "answer", "sdp": "v=0"})
    assert out.payload() == {"from": "p1", "description": {"type": "answer", "sdp": "v=0"}}
