"""A paged on-call clinician answers "I'm on it" (``POST /api/on-call/answer``) from the link in their
page, before they can join: nobody else is paged. The link's token (in its fragment, like join links)
names their place in the crisis session; it is the only credential, and answers nothing about the
client."""

from __future__ import annotations

from aiohttp import web

from server.app_keys import CRISIS_WATCH, TOKENS
from server.crises.schemas import AnswerPage, PageAnswered
from server.http.bodies import read_body
from server.http.responses import json_response

ANSWERED = "Thank you. Nobody else will be paged. Join the session with the link in the page as soon as you can."
NOTHING_WAITING = ("This page needs no answer any more: it was answered already, its time ran out and the next "
                   "person was paged, or the crisis is closed. Join with the link in the page if you still can.")


async def answer_page(request: web.Request) -> web.Response:
    body = await read_body(request, AnswerPage)
    participant_id, crisis_id = request.app[TOKENS].verify_on_call_answer(body.token)
    acknowledged = await request.app[CRISIS_WATCH].answer_page(crisis_id, participant_id)
    return json_response(PageAnswered(acknowledged=acknowledged, message=ANSWERED if acknowledged else NOTHING_WAITING))
