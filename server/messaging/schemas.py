"""Bodies of secure messaging: what the client and the care team send, and the thread as each side sees it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from server.home.schemas import HelpView
from server.http.schemas import Body
from server.messaging.rules import MAX_LENGTH, clean_text
from server.plans.schemas import CrisisLineView


class _Text(Body):
    text: str = Field(min_length=1, max_length=MAX_LENGTH, description=f"The message, 1 to {MAX_LENGTH} characters.")

    @field_validator("text")
    @classmethod
    def _kept(cls, value: str) -> str:
        kept = clean_text(value)
        if not kept:
            raise ValueError("write a message first")
        return kept


class ClientMessage(_Text):
    urgent: bool = Field(default=False, description="Marked urgent: in office hours the care team is alerted at once; "
                         "after hours the on-call clinician is paged and the answer carries the crisis lines.")


class StaffMessage(_Text):
    """What a clinician writes to the client."""


class MessageView(BaseModel):
    message_id: str
    sender: str = Field(description="client | staff")
    sender_name: str = Field(description="Who wrote it, as the reader is shown it (\u201cYou\u201d for their own).")
    mine: bool = Field(description="Written by the side reading it.")
    text: str
    urgent: bool
    sent_at: datetime
    read_at: datetime | None = Field(description="When the other side first read it (the read receipt).")


class ThreadView(BaseModel):
    thread_id: str | None = Field(description="None until the first message.")
    client_id: str
    messages: list[MessageView] = Field(description="Oldest first (the latest 200).")
    unread: int = Field(description="Messages from the other side not read yet (before this read marked them).")


class MessageSent(BaseModel):
    """The answer to the client's send: what happens now, in words to show as they are."""

    message: MessageView
    thread_id: str
    notice: str = Field(description="What the page tells the client now.")
    after_hours: bool = Field(description="An urgent message sent outside office hours.")
    show_help: bool = Field(description="Show the \u201cI need help now\u201d button and the crisis lines with it.")
    crisis_lines: list[CrisisLineView]
    help: HelpView | None = Field(description="The help room opened for the on-call clinician (after hours).")


class StaffMessageSent(BaseModel):
    message: MessageView
    thread_id: str
    notified: dict[str, str] = Field(description="How the client was told (email / webhook: sent, failed, skipped): "
                                     "\u201cyou have a new message\u201d, never its text.")


class UnreadCount(BaseModel):
    client_id: str
    unread: int = Field(description="The client's messages no one on the care team has read yet.")


class UnreadThreadView(BaseModel):
    client_id: str
    client_name: str | None = Field(description="the client's name as the care team knows it")
    unread: int = Field(description="their messages nobody on the care team has read yet")
    urgent: bool = Field(description="one of them is marked urgent")
    since: datetime = Field(description="when the oldest of them was sent")


class UnreadThreads(BaseModel):
    threads: list[UnreadThreadView] = Field(description="Clients whose care team you are on (admins: every "
                                            "client of the program) with unread messages, waiting longest first.")
