"""On SQLite and PostgreSQL: a client's check-ins and screeners from their own page, scored by the server,
kept encrypted; each risk rule that fires leaves one alert naming it, with no health information in its
subject; the care team schedules check-ins, and two missed in a row raise an alert."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.conftest import make_settings
from tests.integration.monitoring.helpers import GAD7_ZERO, PHQ9_ZERO, alerts, check_in, enrolled

from server.app_keys import ENGINE, MONITORING, PLAN_STORE
from server.db.tables import utcnow

NOTE = "Quillfeather evening by the Zanzibarine pier"  # distinctive synthetic content


@pytest.fixture
def settings(database_url):
    return make_settings(database_url)


async def test_a_check_in_is_kept_encrypted_and_shown_to_the_care_team(world):
    cast = await enrolled(world)
    answer = await check_in(world, cast.home, mood=7, note=NOTE, sleep_quality=3, cravings=1)
    assert answer["show_help"] is False and "Thank you" in answer["message"]
    status, history = await world.request("GET", f"/api/clients/{cast.client_id}/check-ins",
                                          cast.therapist.access_token)
    assert status == 200, history
    [seen] = history["check_ins"]
    assert (seen["mood"], seen["sleep_hours"], seen["sleep_quality"], seen["cravings"], seen["note"]) == (
        7, 7, 3, 1, NOTE)
    async with world.app[ENGINE].connect() as conn:
        raw = (await conn.execute(text("SELECT answers, note FROM check_ins"))).one()
    assert NOTE not in raw.note and "Quillfeather" not in raw.note
    assert raw.answers.startswith("v1.") and raw.note.startswith("v1.") and "mood" not in raw.answers
    assert await alerts(world, cast.therapist) == []


async def test_check_in_needs_sleep_and_in_range_answers(world):
    cast = await enrolled(world)
    for body in ({"mood": 5, "cravings": 1}, {"mood": 11, "sleep_hours": 7, "cravings": 1},
                 {"mood": 5, "sleep_quality": 5, "cravings": 1}):
        status, answer = await world.request("POST", "/api/home/check-ins", cast.home, json=body)
        assert status == 422, answer


async def test_phq9_is_scored_server_side_and_item_9_raises_an_urgent_alert(world):
    cast = await enrolled(world)
    status, page = await world.request("GET", "/api/home/check-in", cast.home)
    assert status == 200 and [i["key"] for i in page["instruments"]] == ["phq9", "gad7"]
    answers = PHQ9_ZERO | {"q1": 2, "q2": 2, "q9": 1}
    status, answer = await world.request("POST", "/api/home/screeners/phq9", cast.home, json={"answers": answers})
    assert status == 201 and answer["show_help"] is True and "988" in answer["message"], answer
    [alert] = await alerts(world, cast.therapist)
    assert (alert["rule"], alert["urgency"], alert["client_id"], alert["recipient_id"]) == (
        "phq9_item9", "urgent", cast.client_id, cast.therapist.id)
    assert "PHQ" not in alert["subject"] and "9" not in alert["subject"]
    assert "item 9" in alert["body"]
    status, history = await world.request("GET", f"/api/clients/{cast.client_id}/check-ins",
                                          cast.therapist.access_token)
    assert [(s["instrument"], s["total"], s["band"]) for s in history["screeners"]] == [("phq9", 5, "mild")]
    async with world.app[ENGINE].connect() as conn:
        raw = (await conn.execute(text("SELECT answers, result FROM screener_results"))).one()
    assert "mild" not in raw.result and '"q9"' not in raw.answers


async def test_a_severe_band_alerts_and_an_incomplete_screener_is_refused(world):
    cast = await enrolled(world)
    status, answer = await world.request("POST", "/api/home/screeners/gad7", cast.home,
                                         json={"answers": {"q1": 3}})
    assert (status, answer["code"]) == (422, "screener_incomplete")
    status, _ = await world.request("POST", "/api/home/screeners/gad7", cast.home,
                                    json={"answers": {k: 3 for k in GAD7_ZERO}})
    assert status == 201
    assert [a["rule"] for a in await alerts(world, cast.therapist)] == ["severe_band"]
    status, answer = await world.request("POST", "/api/home/screeners/cssrs", cast.home, json={"answers": {}})
    assert (status, answer["code"]) == (404, "screener_not_found")


async def test_a_mood_drop_from_their_own_baseline_and_self_harm_words_alert(world):
    cast = await enrolled(world)
    for mood in (7, 8, 7):
        await check_in(world, cast.home, mood=mood, note="I would never hurt myself")
    assert await alerts(world, cast.therapist) == []  # negated: nothing
    await check_in(world, cast.home, mood=4)
    assert [a["rule"] for a in await alerts(world, cast.therapist)] == ["mood_drop"]
    answer = await check_in(world, cast.home, mood=6, note="Tonight I want to hurt myself")
    assert answer["show_help"] is True
    newest = (await alerts(world, cast.therapist))[0]
    assert newest["rule"] == "self_harm_words" and "hurt" not in newest["subject"]
    assert "nothing was done automatically" in newest["body"]


async def test_the_program_word_list_is_its_own(world):
    cast = await enrolled(world)
    status, vocabulary = await world.request("GET", "/api/program/monitoring/vocabulary", cast.therapist.access_token)
    assert status == 200 and vocabulary["default"] is True and "hurt myself" in vocabulary["phrases"]
    status, _ = await world.request("PUT", "/api/program/monitoring/vocabulary", cast.therapist.access_token,
                                    json={"phrases": ["disappear forever"]})
    assert status == 403
    status, vocabulary = await world.request("PUT", "/api/program/monitoring/vocabulary", cast.admin.access_token,
                                             json={"phrases": ["disappear forever"]})
    assert status == 200 and vocabulary == {"phrases": ["disappear forever"], "default": False}
    await check_in(world, cast.home, note="I want to hurt myself")  # not on this program's list
    await check_in(world, cast.home, note="Some nights I want to disappear forever")
    assert [a["rule"] for a in await alerts(world, cast.therapist)] == ["self_harm_words"]


async def test_a_program_loads_its_own_screener_and_the_engine_scores_it(world):
    cast = await enrolled(world)
    yes_no = [{"label": "No", "points": 0}, {"label": "Yes", "points": 1}]
    definition = {"title": "Local screener", "preamble": "(licensed text the program loaded)",
                  "items": [{"key": "a", "text": "Item A", "options": yes_no},
                            {"key": "b", "text": "Item B", "options": yes_no}],
                  "bands": [{"low": 0, "high": 0, "label": "negative"},
                            {"low": 1, "high": 2, "label": "positive", "severe": True}],
                  "urgent_items": ["b"]}
    status, answer = await world.request("PUT", "/api/program/screeners/phq9", cast.admin.access_token,
                                         json=definition)
    assert (status, answer["code"]) == (422, "instrument_built_in")
    bad = definition | {"bands": [{"low": 0, "high": 1, "label": "x"}]}
    status, answer = await world.request("PUT", "/api/program/screeners/local", cast.admin.access_token, json=bad)
    assert (status, answer["code"]) == (422, "instrument_invalid")
    status, _ = await world.request("PUT", "/api/program/screeners/local", cast.admin.access_token, json=definition)
    assert status == 200
    status, listed = await world.request("GET", "/api/program/screeners", cast.therapist.access_token)
    assert [i["key"] for i in listed["instruments"]] == ["phq9", "gad7", "local"]
    status, answer = await world.request("POST", "/api/home/screeners/local", cast.home,
                                         json={"answers": {"a": 0, "b": 1}})
    assert status == 201 and answer["show_help"] is True
    assert sorted(a["rule"] for a in await alerts(world, cast.therapist)) == ["phq9_item9", "severe_band"]


async def test_the_care_team_schedules_check_ins_and_two_missed_in_a_row_alert_once(world):
    cast = await enrolled(world)
    first_day = (utcnow() - timedelta(days=3)).date().isoformat()
    status, answer = await world.request("POST", f"/api/clients/{cast.client_id}/check-in-schedule",
                                         cast.therapist.access_token,
                                         json={"days": 7, "time": "09:00", "first_day": first_day})
    assert status == 201, answer
    schedule = answer["schedule"]
    assert schedule["days"] == 7 and len(schedule["due"]) == 7 and schedule["time"] == "09:00"
    status, again = await world.request("GET", f"/api/clients/{cast.client_id}/check-in-schedule",
                                        cast.therapist.access_token)
    assert again == answer
    for bad in ({"days": 3, "time": "09:00", "first_day": "9999-12-30"}, {"days": 91, "time": "09:00"},
                {"days": 3, "time": "24:00"}):
        status, refused = await world.request("POST", f"/api/clients/{cast.client_id}/check-in-schedule",
                                              cast.therapist.access_token, json=bad)
        assert status == 422, (bad, refused)
    monitoring, now = world.app[MONITORING], utcnow()
    assert len(await monitoring.sweep(now)) == 1
    assert await monitoring.sweep(now) == []  # the same run of misses alerts once
    [alert] = await alerts(world, cast.therapist)
    assert (alert["rule"], alert["urgency"]) == ("missed_check_ins", "normal")


async def test_an_alert_is_acknowledged_once_with_a_note(world):
    cast = await enrolled(world)
    await check_in(world, cast.home, note="I want to die")
    [alert] = await alerts(world, cast.therapist)
    assert alert["acknowledged_at"] is None
    path = f"/api/alerts/{alert['alert_id']}/acknowledge"
    status, seen = await world.request("POST", path, cast.therapist.access_token, json={"note": "Called; safe."})
    assert status == 200 and seen["acknowledged_by"] == cast.therapist.id
    assert seen["acknowledged_note"] == "Called; safe."
    status, again = await world.request("POST", path, cast.admin.access_token, json={"note": "later"})
    assert status == 200 and again["acknowledged_by"] == cast.therapist.id  # the first is kept
    async with world.app[ENGINE].connect() as conn:
        raw = (await conn.execute(text("SELECT acknowledged_note FROM alerts"))).scalar()
    assert "Called" not in raw
    status, answer = await world.request("POST", "/api/alerts/nope/acknowledge", cast.therapist.access_token, json={})
    assert (status, answer["code"]) == (404, "alert_not_found")


async def test_two_nodes_writing_the_same_missed_alert_make_one(world):
    cast = await enrolled(world)
    plans = world.app[PLAN_STORE]
    same = dict(program_id=cast.therapist.program_id, kind="monitoring", urgency="normal", subject="s", body="b",
                at=utcnow(), client_id=cast.client_id, rule="missed_check_ins", dedupe_key="k:1")
    written = await asyncio.gather(*(plans.add_alert(**same) for _ in range(4)))
    assert len([w for w in written if w is not None]) == 1


async def test_a_loaded_screener_with_skip_logic(world):
    cast = await enrolled(world)
    yes_no = [{"label": "No", "points": 0}, {"label": "Yes", "points": 1}]
    definition = {"title": "Branching", "items": [
        {"key": "q1", "text": "First", "options": yes_no},
        {"key": "q2", "text": "Asked after a yes", "options": yes_no, "ask_if": {"item": "q1", "at_least": 1}}],
        "bands": [{"low": 0, "high": 0, "label": "none"}, {"low": 1, "high": 2, "label": "positive"}],
        "urgent_items": ["q2"]}
    status, loaded = await world.request("PUT", "/api/program/screeners/branching", cast.admin.access_token,
                                         json=definition)
    assert status == 200 and loaded["items"][1]["ask_if"] == {"item": "q1", "at_least": 1}
    status, answer = await world.request("POST", "/api/home/screeners/branching", cast.home,
                                         json={"answers": {"q1": 0, "q2": 1}})
    assert (status, answer["code"]) == (422, "screener_incomplete")  # q2 is not asked after a no
    status, answer = await world.request("POST", "/api/home/screeners/branching", cast.home,
                                         json={"answers": {"q1": 0}})
    assert status == 201 and answer["show_help"] is False
    status, answer = await world.request("POST", "/api/home/screeners/branching", cast.home,
                                         json={"answers": {"q1": 1, "q2": 1}})
    assert status == 201 and answer["show_help"] is True
    bad = definition | {"items": [definition["items"][1], definition["items"][0]]}
    status, answer = await world.request("PUT", "/api/program/screeners/branching", cast.admin.access_token, json=bad)
    assert (status, answer["code"]) == (422, "instrument_invalid")


async def test_alerts_filter_by_urgency_rule_client_and_open(world):
    cast = await enrolled(world)
    await check_in(world, cast.home, note="I want to die")
    status, _ = await world.request("POST", "/api/home/screeners/gad7", cast.home,
                                    json={"answers": {f"q{n}": 3 for n in range(1, 8)}})
    assert status == 201
    token = cast.therapist.access_token

    async def listed(query: str) -> list[str]:
        status, answer = await world.request("GET", "/api/alerts?" + query, token)
        assert status == 200, answer
        return [a["rule"] for a in answer["alerts"]]

    assert await listed("urgency=urgent") == ["self_harm_words"]
    assert await listed("rule=severe_band") == ["severe_band"]
    assert sorted(await listed(f"client_id={cast.client_id}")) == ["self_harm_words", "severe_band"]
    [urgent] = (await world.request("GET", "/api/alerts?urgency=urgent", token))[1]["alerts"]
    await world.request("POST", f"/api/alerts/{urgent['alert_id']}/acknowledge", token, json={})
    assert await listed("open=true") == ["severe_band"]
    assert await listed("open=false") == ["self_harm_words"]
    status, answer = await world.request("GET", "/api/alerts?open=maybe", token)
    assert status == 422


async def test_a_client_sends_at_most_thirty_a_day(world, monkeypatch):
    from server.monitoring import home_api
    monkeypatch.setattr(home_api, "MAX_PER_DAY", 2)
    cast = await enrolled(world)
    await check_in(world, cast.home)
    status, _ = await world.request("POST", "/api/home/screeners/gad7", cast.home, json={"answers": GAD7_ZERO})
    assert status == 201
    status, answer = await world.request("POST", "/api/home/check-ins", cast.home,
                                         json={"mood": 5, "sleep_hours": 7, "cravings": 0})
    assert (status, answer["code"]) == (429, "too_many_submissions") and "988" in answer["title"]
