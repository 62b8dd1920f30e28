"""The isolation verdict is on the median of the windows' p99s, and only for a call that ran at its rate."""

import argparse

from benchmarks.media_workers import verdict

ARGS = argparse.Namespace(target=1.5)


def test_judged_on_the_median_of_windows_not_the_pooled_p99():
    assert verdict({"call_fps": 30.0, "ratio": 2.4, "median_ratio": 1.1}, ARGS) == "✓"
    assert verdict({"call_fps": 30.0, "ratio": 0.6, "median_ratio": 1.7}, ARGS) == "✗"


def test_a_call_that_did_not_run_at_its_rate_is_not_a_measurement():
    assert verdict({"call_fps": 12.8, "ratio": 1.0, "median_ratio": 1.0}, ARGS) == (
        "NOT VALID (the call ran at 12.8 of 30 fps)")
