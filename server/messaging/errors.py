"""Messaging's errors, each with a stable code (the HTTP edge maps their kinds once)."""

from __future__ import annotations

from server.errors import RateLimited


class TooManyMessages(RateLimited):
    code = "too_many_messages"
    message = ("You have sent many messages in a short time: your care team has them and will answer. If you need "
               "help now, press \u201cI need help now\u201d or call 988.")
