"""In a real browser, the crisis panel's words for the on-call chain (``crisis/panel_state.js``): a page
in progress shows who is paged and the seconds left to answer, counting down; an answer, or nobody
answering, replaces it with what happened — never the lost-contact wording meant for the client."""

from __future__ import annotations

import pytest

from tests.browser.pages import new_page

pytestmark = pytest.mark.asyncio(loop_scope="module")

SCRIPT = """async () => {
  const { CrisisPanelState } = await import('/static/js/crisis/panel_state.js');
  const state = new CrisisPanelState();
  const now = Date.parse('2026-12-04T23:55:00Z');
  const out = {};
  out.page = state.lostContactWords({ step: 'page_on_call_primary', paged: 'Dr Bay',
                                      ack_due_at: '2026-12-04T23:55:40Z' });
  out.at0 = state.pagingWords(now);
  out.at30 = state.pagingWords(now + 30500);
  out.late = state.pagingWords(now + 41000);
  out.ack = state.lostContactWords({ step: 'page_on_call:acknowledged' });
  out.afterAck = state.pagingWords(now);
  state.lostContactWords({ step: 'page_on_call_backup', paged: 'Dr Cole', ack_due_at: '2026-12-04T23:56:20Z' });
  out.backup = state.pagingWords(now + 60000);
  out.nobody = state.lostContactWords({ step: 'page_on_call:nobody_acknowledged' });
  out.afterNobody = state.pagingWords(now);
  return out;
}"""


async def test_the_panel_counts_down_a_page_and_says_how_it_ended(world, browser):
    context, page = await new_page(browser)
    try:
        await page.goto(world.base_url + "/")
        words = await page.evaluate(SCRIPT)
    finally:
        await context.close()
    assert words["page"] is None  # no urgent notice: the countdown line shows the page
    assert words["at0"] == "Paging Dr Bay (on call) — 40 s to answer."
    assert words["at30"] == "Paging Dr Bay (on call) — 10 s to answer."
    assert words["late"] == "Paging Dr Bay (on call) — no answer yet; the next person is being paged."
    assert words["ack"] == "The on-call clinician answered the page and is joining."
    assert words["afterAck"] is None
    assert words["backup"] == "Paging Dr Cole (on call) — 20 s to answer."
    assert words["nobody"] == "No on-call clinician answered the page. The clinical lead has been alerted."
    assert words["afterNobody"] is None
