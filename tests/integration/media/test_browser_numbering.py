"""Participants that number codecs and header extensions their own way (as browsers do, unlike
aiortc): the server's renegotiation offers keep each one's numbering, and media keeps flowing
both ways through every renegotiation (media/payload_types.py, media/header_extensions.py)."""

from aiortc import RTCSessionDescription

from media.header_extensions import extension_ids
from media.payload_types import payload_types, renumber_payload_types

from loadtest.receive_buffers import enlarge_receive_buffers

from .harness import Client, Group, wait_for

# Chrome's numbering: Opus 111, VP8 96 + RTX 97 (aiortc's is Opus 96, VP8 97 + RTX 98).
CHROME = {("opus", 48000, 2): 111, ("vp8", 90000, None): 96, ("rtx", ("vp8", 90000, None)): 97}
SMALL = {"size": (160, 120), "fps": 10, "long_audio_frames": True}


class BrowserLikeClient(Client):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.offers_received: list[str] = []
        self.first_offer = ""

    async def join(self) -> None:
        self.pc.addTransceiver(self.audio, direction="sendonly")
        self.pc.addTransceiver(self.video, direction="sendonly")
        await self.pc.setLocalDescription(await self.pc.createOffer())
        enlarge_receive_buffers(self.pc)
        self.first_offer = renumber_payload_types(self.pc.localDescription.sdp, CHROME)
        answer = await self.room.handle_offer(self.id, self.first_offer)
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))

    def deliver_offer(self, sdp: str) -> None:
        self.offers_received.append(sdp)
        super().deliver_offer(sdp)


async def test_browser_numbering_survives_renegotiation():
    group = Group()
    try:
        clients = []
        for index in range(3):
            client = BrowserLikeClient(f"b{index}", group.room, **SMALL)
            group.clients[client.id] = client
            await client.join()
            clients.append(client)

        def everyone_receives_everyone() -> bool:
            return all(
                {c.id for c in clients} - {client.id} <= client.publishers_seen(kind)
                for client in clients for kind in ("audio", "video")
            )

        # Joining back to back: a server offer follows an answer at once, before aiortc's deferred
        # start of the answered senders (aiortc_internals.create_offer keeps their payload types).
        assert await wait_for(everyone_receives_everyone, timeout=30), (
            [(c.id, c.publishers_seen("audio"), c.publishers_seen("video"), c.pc.connectionState) for c in clients],
            group.room.stats(),
        )
        for client in clients:
            assert client.offers_received, client.id
            wanted = payload_types(client.first_offer)
            for offer in client.offers_received:
                numbering = payload_types(offer)
                assert all(wanted[key] == pt for key, pt in numbering.items() if key in wanted), numbering
                assert {"opus": 111, "vp8": 96} == {k[0]: pt for k, pt in numbering.items() if k[0] in ("opus", "vp8")}
                assert extension_ids(offer).items() <= extension_ids(client.first_offer).items()
        stats = group.room.stats()
        assert {p.codec for p in stats.publications} == {"VP8", "opus"}
        assert all(s.forwarded > 0 for s in stats.subscriptions) and len(stats.subscriptions) == 3 * 2 * 2
    finally:
        await group.close()
