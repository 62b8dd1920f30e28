"""The signalling benchmark's verdict says what it measured: a p99 of the messages that arrived is no
pass when messages were lost (issue 19: at K=1000 both relays lost 84-86 % and the verdict said MET)."""

from benchmarks.signaling import verdict


def _ratio(p99: float, ours_lost: int = 0, bare_lost: int = 0, ours_ack_errors: int = 0) -> dict:
    def counts(lost: int, ack_errors: int = 0) -> dict:
        return {"sent": 10_000, "lost": lost, "ack_errors": ack_errors, "disconnects": 0,
                "intact": lost == 0 and ack_errors == 0}
    return {"p99": p99, "ours": counts(ours_lost, ours_ack_errors), "bare": counts(bare_lost)}


def test_met_only_within_the_target_with_nothing_lost():
    assert verdict(_ratio(1.2), 1.5, 200) == (True, "target ≤ 1.5× at K=200: MET")
    assert verdict(_ratio(1.7), 1.5, 200) == (False, "target ≤ 1.5× at K=200: MISSED")


def test_lost_messages_on_either_side_fail_the_verdict_and_say_how_many():
    met, text = verdict(_ratio(1.0, ours_lost=8_500, bare_lost=8_400), 1.5, 1000)
    assert not met and "MISSED" in text and "ours lost 8500 of 10000" in text
    met, text = verdict(_ratio(1.0, bare_lost=3), 1.5, 1000)
    assert not met and "bare relay (no valid baseline) lost 3 of 10000" in text
    met, text = verdict(_ratio(1.0, ours_ack_errors=2), 1.5, 1000)
    assert not met and "2 ack errors" in text
