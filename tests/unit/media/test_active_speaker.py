import pytest

from media.active_speaker import ActiveSpeakerDetector, SpeakerSettings

LOUD, QUIET, SILENT = 20, 90, 127


def feed(detector, levels: dict[str, int | None], start: float, seconds: float) -> float:
    now = start
    while now < start + seconds:
        for pid, level in levels.items():
            detector.observe(pid, level, now)
        now += 0.02
        detector.update(now)
    return now


def test_the_loud_participant_becomes_the_speaker():
    detector = ActiveSpeakerDetector()
    feed(detector, {"a": SILENT, "b": LOUD, "c": QUIET}, 0.0, 1.0)
    assert detector.speaker == "b"


def test_silence_clears_the_speaker():
    detector = ActiveSpeakerDetector(SpeakerSettings(silence=1.0))
    now = feed(detector, {"a": LOUD, "b": SILENT}, 0.0, 1.0)
    assert detector.speaker == "a"
    feed(detector, {"a": SILENT, "b": SILENT}, now, 2.0)
    assert detector.speaker is None


def test_switch_needs_margin_and_hold():
    detector = ActiveSpeakerDetector(SpeakerSettings(hold=0.3, margin=8))
    now = feed(detector, {"a": LOUD, "b": SILENT}, 0.0, 1.0)
    now = feed(detector, {"a": LOUD, "b": LOUD - 2}, now, 2.0)  # b is as loud: no switch
    assert detector.speaker == "a"
    now = feed(detector, {"a": SILENT, "b": LOUD}, now, 0.1)  # not held long enough yet
    assert detector.speaker == "a"
    feed(detector, {"a": SILENT, "b": LOUD}, now, 1.0)
    assert detector.speaker == "b"


def test_update_reports_changes_only():
    detector = ActiveSpeakerDetector()
    changes = []
    now = 0.0
    for _ in range(50):
        detector.observe("a", LOUD, now)
        now += 0.02
        changes.append(detector.update(now))
    assert changes.count(True) == 1 and detector.speaker == "a"


def test_without_audio_levels_packet_rates_decide():
    detector = ActiveSpeakerDetector()
    now = 0.0
    for step in range(100):  # "a" sends every 20 ms, "b" (DTX) every 400 ms
        now = step * 0.02
        detector.observe("a", None, now)
        if step % 20 == 0:
            detector.observe("b", None, now)
        detector.update(now)
    assert detector.speaker == "a"


def test_forget_clears_a_leaving_speaker():
    detector = ActiveSpeakerDetector()
    feed(detector, {"a": LOUD}, 0.0, 0.5)
    detector.forget("a")
    assert detector.speaker is None and detector.score("a", 1.0) == 0.0


def test_settings_validate():
    with pytest.raises(ValueError):
        SpeakerSettings(window=0)
