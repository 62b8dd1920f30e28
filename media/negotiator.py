"""Server-initiated renegotiation with one participant, strictly serialized.

aiortc gathers every ICE candidate before it returns a description and never
trickles, so an offer is complete when sent. Offers are coalesced: any number
of :meth:`Negotiator.request` calls while one is in flight lead to one more
offer. The client's own offers take the same lock, so two offer/answer
exchanges with a participant never overlap. The first server offer waits until
the peer connection is connected: the client has then applied our answer to
its own offer, so the two cannot cross on the wire.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiortc import RTCPeerConnection, RTCSessionDescription

from . import aiortc_internals
from .errors import MediaError, NegotiationTimeoutError, NoPendingOfferError
from .sdp_checks import parse_sdp

logger = logging.getLogger(__name__)

SendOffer = Callable[[str, str], Awaitable[None]]


class Negotiator:
    def __init__(
        self,
        participant_id: str,
        pc: RTCPeerConnection,
        *,
        send_offer: SendOffer,
        prepare: Callable[[], bool],
        commit: Callable[[], bool],
        on_failure: Callable[[MediaError], None],
        answer_timeout: float,
    ) -> None:
        self._participant_id = participant_id
        self._pc = pc
        self._send_offer = send_offer
        self._prepare = prepare
        self._commit = commit
        self._on_failure = on_failure
        self._answer_timeout = answer_timeout
        self.lock = asyncio.Lock()
        self.connected = asyncio.Event()
        self._dirty = False
        self._closed = False
        self._task: asyncio.Task[None] | None = None
        self._answer: asyncio.Future[str] | None = None
        self._applied: asyncio.Future[None] | None = None
        self._offers = 0

    @property
    def offer_pending(self) -> bool:
        return self._answer is not None

    @property
    def offers_sent(self) -> int:
        return self._offers

    def request(self) -> None:
        if self._closed:
            return
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._run())

    async def handle_answer(self, sdp: str) -> None:
        answer, applied = self._answer, self._applied
        if answer is None or applied is None or answer.done():
            raise NoPendingOfferError(f"no offer to {self._participant_id} awaits an answer")
        parse_sdp(sdp, "answer")
        answer.set_result(sdp)
        await asyncio.shield(applied)

    async def close(self) -> None:
        self._closed = True
        self._settle_applied(MediaError(f"{self._participant_id} left"))
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        await self.connected.wait()
        while self._dirty and not self._closed:
            self._dirty = False
            async with self.lock:
                await self._negotiate_once()

    async def _negotiate_once(self) -> None:
        loop = asyncio.get_running_loop()
        self._answer, self._applied = loop.create_future(), loop.create_future()
        try:
            if self._prepare():
                await self._exchange()
        except Exception as exc:  # any failure leaves this peer unusable
            self._fail(exc if isinstance(exc, MediaError) else MediaError(str(exc)))
        finally:
            self._answer, self._applied = None, None

    async def _exchange(self) -> None:
        await self._pc.setLocalDescription(await aiortc_internals.create_offer(self._pc))
        self._offers += 1
        send = asyncio.ensure_future(self._send_offer(self._participant_id, self._pc.localDescription.sdp))
        try:
            sdp = await self._wait_answer(send)
            await self._apply(sdp)
            await send  # on_offer may have awaited handle_answer itself
        finally:
            if not send.done():
                send.cancel()
                await asyncio.gather(send, return_exceptions=True)
        if self._commit():
            self._dirty = True

    async def _wait_answer(self, send: asyncio.Future[None]) -> str:
        answer = self._answer
        try:
            async with asyncio.timeout(self._answer_timeout):
                await asyncio.wait({send, answer}, return_when=asyncio.FIRST_COMPLETED)
                if send.done() and send.exception() is not None:
                    raise MediaError(f"offer delivery failed: {send.exception()}")
                return await asyncio.shield(answer)
        except TimeoutError:
            raise NegotiationTimeoutError(
                f"{self._participant_id} did not answer within {self._answer_timeout}s"
            ) from None

    async def _apply(self, sdp: str) -> None:
        try:
            await self._pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
        except Exception as exc:
            raise MediaError(f"answer rejected: {exc}") from exc
        self._applied.set_result(None)

    def _fail(self, error: MediaError) -> None:
        logger.warning("negotiation with %s failed: %s", self._participant_id, error)
        self._settle_applied(error)
        self._closed = True
        self._on_failure(error)

    def _settle_applied(self, error: MediaError) -> None:
        applied = self._applied
        if applied is None:
            return
        if not applied.done():
            applied.set_exception(error)
        if not applied.cancelled():
            applied.exception()  # retrieved: whoever awaits it sees it anyway
