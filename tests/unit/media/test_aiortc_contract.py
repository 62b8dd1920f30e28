"""The aiortc internals media/ relies on, checked against real peers.

If aiortc is upgraded and one of these fails, media/aiortc_internals/ must be
revisited before anything else: the SFU would silently stop forwarding,
hang on close, or ignore keyframe requests.
"""

import asyncio
import fractions
import queue

import aiortc
import av
import pytest
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpSender
from aiortc.codecs import get_encoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from media import aiortc_internals
from media.errors import AiortcContractError
from tests.integration.media.harness import PatternVideoTrack, peer_connection


def test_aiortc_is_the_pinned_version():
    assert aiortc.__version__ == "1.16.0"


def test_private_names_exist():
    for name in ("_send_rtcp_pli", "_handle_rtp_packet", "_set_rtcp_ssrc"):
        assert callable(getattr(RTCRtpReceiver, name, None)), name
    for name in ("_send_keyframe", "_handle_rtcp_packet", "_next_encoded_frame", "_run_rtp", "_retransmit"):
        assert callable(getattr(RTCRtpSender, name, None)), name


async def test_sender_loop_internals_exist_and_a_started_sender_is_refused():
    """What media/forwarding_sender.py replaces and reads (see aiortc_internals.replace_rtp_loop)."""
    pc = peer_connection()
    sender = pc.addTransceiver("video", direction="sendonly").sender
    for name in ("rtp_started", "rtp_exited", "started", "mid", "rtp_header_extensions_map",
                 "rtx_payload_type", "ntp_timestamp", "rtp_timestamp", "packet_count", "octet_count"):
        assert hasattr(sender, f"_RTCRtpSender__{name}"), name
    for name in ("_enabled", "_ssrc", "_rtx_ssrc"):
        assert hasattr(sender, name), name
    dtls = sender.transport
    for name in ("_state", "_tx_srtp", "_send_rtp", "_RTCDtlsTransport__tx_bytes", "_RTCDtlsTransport__tx_packets"):
        assert hasattr(dtls, name), name
    assert isinstance(dtls.transport._connection._nominated, dict)
    assert aiortc_internals.sender_report_counters(sender) == (0, 0, 0, 0)
    aiortc_internals.record_sent(sender, 5, 6, 2, 100)
    assert aiortc_internals.sender_report_counters(sender) == (5, 6, 2, 100)
    assert not aiortc_internals.DirectRtpPath(dtls).ready()  # not connected yet
    setattr(sender, "_RTCRtpSender__started", True)
    with pytest.raises(AiortcContractError):
        aiortc_internals.replace_rtp_loop(sender, lambda codec: None, lambda seq: None)
    setattr(sender, "_RTCRtpSender__started", False)
    await pc.close()


def test_encoders_pack_encoded_packets_without_encoding():
    for mime, clock in (("video/VP8", 90000), ("audio/opus", 48000)):
        codec = next(c for c in aiortc.codecs.CODECS[mime.split("/")[0]] if c.mimeType == mime)
        packet = av.Packet(b"\x10\x02\x00\x9d\x01\x2a" + bytes(20))
        packet.pts = 3000
        packet.time_base = fractions.Fraction(1, clock)
        payloads, timestamp = get_encoder(codec).pack(packet)
        assert payloads and timestamp == 3000


class PacketTrack(MediaStreamTrack):
    """Yields the encoded VP8 packets of a real encoder, as the SFU does."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self.source = PatternVideoTrack(160, 120, fps=15)
        self.codec = av.CodecContext.create("libvpx", "w")
        self.codec.width, self.codec.height, self.codec.pix_fmt = 160, 120, "yuv420p"
        self.codec.time_base = fractions.Fraction(1, 90000)
        self.codec.bit_rate = 300000
        self.pending: list[av.Packet] = []
        self.force = False

    async def recv(self) -> av.Packet:
        while not self.pending:
            frame = await self.source.recv()
            if self.force:
                frame.pict_type = av.video.frame.PictureType.I
                self.force = False
            self.pending = list(self.codec.encode(frame))
        packet = self.pending.pop(0)
        packet.time_base = fractions.Fraction(1, 90000)
        return packet


async def connect(sender_pc: RTCPeerConnection, receiver_pc: RTCPeerConnection) -> None:
    await sender_pc.setLocalDescription(await sender_pc.createOffer())
    await receiver_pc.setRemoteDescription(sender_pc.localDescription)
    await receiver_pc.setLocalDescription(await receiver_pc.createAnswer())
    await sender_pc.setRemoteDescription(receiver_pc.localDescription)


async def test_packets_flow_tap_sees_them_pli_bridges_and_close_does_not_hang():
    sender_pc, receiver_pc = peer_connection(), peer_connection()
    track = PacketTrack()
    transceiver = sender_pc.addTransceiver(track, direction="sendonly")
    keyframe_requests = []
    aiortc_internals.on_keyframe_request(transceiver.sender, lambda: keyframe_requests.append(1))
    tapped: list[tuple[object, JitterFrame]] = []
    ssrcs = []

    @receiver_pc.on("track")
    def on_track(remote):
        receiver = next(t.receiver for t in receiver_pc.getTransceivers() if t.receiver.track is remote)
        inner = aiortc_internals.jitter_buffer(receiver)

        class Recording:
            def add(self, packet):
                ssrcs.append(packet.ssrc)
                return inner.add(packet)

        aiortc_internals.replace_jitter_buffer(receiver, Recording())
        aiortc_internals.install_decoder_tap(receiver, lambda codec, frame: tapped.append((codec, frame)))
        on_track.receiver = receiver

    try:
        await connect(sender_pc, receiver_pc)
        for _ in range(100):
            if len(tapped) >= 5:
                break
            await asyncio.sleep(0.05)
        assert len(tapped) >= 5, "no encoded frame reached the tap: decoder queue changed?"
        codec, frame = tapped[0]
        assert codec.name == "VP8" and isinstance(frame.data, bytes) and isinstance(frame.timestamp, int)
        assert frame.data[3:6] == b"\x9d\x01\x2a", "first forwarded frame is the encoder's keyframe"
        # media/forwarding_sender.py sends through the nominated host pair's UDP socket directly
        assert aiortc_internals.DirectRtpPath(transceiver.sender.transport).ready(), "ICE/DTLS internals moved"

        await aiortc_internals.send_pli(on_track.receiver, ssrcs[-1])
        for _ in range(100):
            if keyframe_requests:
                break
            await asyncio.sleep(0.02)
        assert keyframe_requests, "a PLI no longer reaches RTCRtpSender._send_keyframe"
    finally:
        await asyncio.wait_for(receiver_pc.close(), 5)  # the stop sentinel reached the decoder thread
        await asyncio.wait_for(sender_pc.close(), 5)
    with pytest.raises(MediaStreamError):
        await asyncio.wait_for(on_track.receiver.track.recv(), 2)


async def test_stream_id_is_written_into_the_offer():
    pc = peer_connection()
    transceiver = pc.addTransceiver("video", direction="sendonly")
    aiortc_internals.set_stream_id(transceiver.sender, "alice")
    offer = await pc.createOffer()
    assert "a=msid:alice " in offer.sdp
    await pc.close()


async def test_tap_refuses_a_started_receiver():
    pc = peer_connection()
    receiver = pc.addTransceiver("video", direction="recvonly").receiver
    setattr(receiver, "_RTCRtpReceiver__decoder_thread", object())
    with pytest.raises(AiortcContractError):
        aiortc_internals.install_decoder_tap(receiver, lambda *_: None)
    setattr(receiver, "_RTCRtpReceiver__decoder_thread", None)
    await pc.close()


def test_tap_queue_passes_the_stop_sentinel_on():
    original: queue.Queue = queue.Queue()
    seen = []
    tap = aiortc_internals.TapQueue(original, lambda codec, frame: seen.append(frame))
    tap.put(("codec", "frame"))
    tap.put(None)
    assert seen == ["frame"] and original.get_nowait() is None


def _rtpmap(sdp: str, mid: str) -> dict[str, int]:
    """codec name -> payload type in the m-section of ``mid``."""
    section = sdp.split(f"a=mid:{mid}\r\n")[0].rsplit("m=", 1)[-1] + sdp.split(f"a=mid:{mid}\r\n")[1].split("m=")[0]
    table = {}
    for line in section.split("\r\n"):
        if line.startswith("a=rtpmap:"):
            pt, name = line[len("a=rtpmap:"):].split(" ", 1)
            table.setdefault(name.split("/")[0].lower(), int(pt))
    return table


async def test_offers_use_aiortcs_payload_types_and_answers_set_the_senders():
    """Why media/payload_types.py exists, and what it relies on: aiortc's createOffer numbers
    codecs from its own table whatever was negotiated before (a browser would switch its sending
    payload types to those; aiortc's started receivers keep their first table), and aiortc sends
    with the payload types of the remote answer. A client numbering VP8 100 / RTX 101 (as a
    browser numbers its own way) keeps receiving and sending once our offers are renumbered."""
    from media.codec_inspect import codec_preferences
    from media.payload_types import payload_types, renumber_payload_types

    server, client = peer_connection(), peer_connection()
    published = client.addTransceiver(PacketTrack(), direction="sendonly")
    published.setCodecPreferences(codec_preferences("video", "video/VP8"))
    received: dict[str, list[int]] = {}

    @server.on("track")
    def on_server_track(remote):
        receiver = next(t.receiver for t in server.getTransceivers() if t.receiver.track is remote)
        aiortc_internals.install_decoder_tap(receiver, lambda codec, frame: received.setdefault("server", []).append(1))

    @client.on("track")
    def on_client_track(remote):
        receiver = next(t.receiver for t in client.getTransceivers() if t.receiver.track is remote)
        aiortc_internals.install_decoder_tap(receiver, lambda codec, frame: received.setdefault("client", []).append(1))

    try:
        await client.setLocalDescription(await client.createOffer())
        client_offer = renumber_payload_types(
            client.localDescription.sdp, {("vp8", 90000, None): 100, ("rtx", ("vp8", 90000, None)): 101}
        )
        assert _rtpmap(client_offer, "0") == {"vp8": 100, "rtx": 101}
        await server.setRemoteDescription(aiortc.RTCSessionDescription(client_offer, "offer"))
        await server.setLocalDescription(await server.createAnswer())
        assert _rtpmap(server.localDescription.sdp, "0") == {"vp8": 100, "rtx": 101}
        await client.setRemoteDescription(server.localDescription)
        for _ in range(100):
            if len(received.get("server", [])) >= 3:
                break
            await asyncio.sleep(0.05)
        assert len(received.get("server", [])) >= 3

        forward = server.addTransceiver(PacketTrack(), direction="sendonly")
        forward.setCodecPreferences(codec_preferences("video", "video/VP8"))
        await server.setLocalDescription(await server.createOffer())
        ours = server.localDescription.sdp
        assert _rtpmap(ours, "0")["vp8"] == 97, "createOffer no longer renumbers: payload_types.py may be moot"
        offer = renumber_payload_types(ours, payload_types(client_offer))
        for mid in ("0", "1"):
            assert (_rtpmap(offer, mid)["vp8"], _rtpmap(offer, mid)["rtx"]) == (100, 101)
        await client.setRemoteDescription(aiortc.RTCSessionDescription(offer, "offer"))
        await client.setLocalDescription(await client.createAnswer())
        assert _rtpmap(client.localDescription.sdp, "1") == {"vp8": 100, "rtx": 101}
        await server.setRemoteDescription(client.localDescription)

        before = len(received["server"])
        for _ in range(100):
            if len(received.get("client", [])) >= 3 and len(received["server"]) >= before + 3:
                break
            await asyncio.sleep(0.05)
        assert len(received.get("client", [])) >= 3, "the forwarded track did not reach the client"
        assert len(received["server"]) >= before + 3, "the publication stopped after renegotiation"
    finally:
        await asyncio.wait_for(client.close(), 5)
        await asyncio.wait_for(server.close(), 5)


async def test_create_offer_keeps_negotiated_codecs_and_does_not_suspend():
    """createOffer resets every transceiver's codecs and header extensions to aiortc's table;
    aiortc starts answered senders/receivers later, in a task that reads them. create_offer
    restores the negotiated ones, which is only safe because createOffer never suspends."""
    from media.payload_types import renumber_payload_types

    server, client = peer_connection(), peer_connection()
    client.addTransceiver(PacketTrack(), direction="sendonly")
    try:
        await client.setLocalDescription(await client.createOffer())
        offer = renumber_payload_types(client.localDescription.sdp, {("vp8", 90000, None): 100})
        await server.setRemoteDescription(aiortc.RTCSessionDescription(offer, "offer"))
        await server.setLocalDescription(await server.createAnswer())
        transceiver = server.getTransceivers()[0]
        negotiated = (list(transceiver._codecs), list(transceiver._headerExtensions))
        assert negotiated[0][0].payloadType == 100

        await aiortc_internals.create_offer(server)
        assert (transceiver._codecs, transceiver._headerExtensions) == negotiated

        ran = []
        asyncio.get_running_loop().call_soon(ran.append, True)
        await server.createOffer()
        assert not ran, "createOffer suspends: restoring codecs afterwards is racy"
        assert transceiver._codecs[0].payloadType == 97, "createOffer no longer resets codecs"
    finally:
        await client.close()
        await server.close()


async def test_receive_path_internals_exist():
    """What aiortc_internals.LeanRtpReceive and SrtpIntake read (exercised end to end with real
    peers in tests/unit/media/test_lean_receive.py)."""
    from aiortc.rtcrtpreceiver import StreamStatistics

    assert callable(StreamStatistics(90000).add)
    pc = peer_connection()
    receiver = pc.addTransceiver("video", direction="recvonly").receiver
    for name in ("codecs", "remote_streams", "rtx_ssrc", "nack_generator", "active_ssrc", "decoder_error",
                 "timestamp_mapper", "kind", "decoder_queue", "decoder_thread", "jitter_buffer"):
        assert hasattr(receiver, f"_RTCRtpReceiver__{name}"), name
    assert callable(receiver._send_rtcp_nack) and receiver._enabled
    dtls = receiver.transport
    for name in ("_rx_srtp", "_rtp_header_extensions_map", "_RTCDtlsTransport__rx_bytes",
                 "_RTCDtlsTransport__rx_packets"):
        assert hasattr(dtls, name), name
    assert isinstance(dtls._rtp_router.ssrc_table, dict) and isinstance(dtls._rtp_router.payload_type_table, dict)
    assert callable(dtls.transport._connection.data_received)
    aiortc_internals.LeanRtpReceive(receiver).close()
    await pc.close()


def test_srtp_codec_matches_pylibsrtp_sessions():
    import pylibsrtp

    key = bytes(range(30))

    def session(direction):
        return pylibsrtp.Session(policy=pylibsrtp.Policy(key=key, ssrc_type=direction))

    packets = [bytes([0x80, 96]) + seq.to_bytes(2, "big") + bytes(8) + bytes([seq]) * 1200 for seq in range(1, 4)]
    outbound = aiortc_internals.SrtpCodec(session(pylibsrtp.Policy.SSRC_ANY_OUTBOUND))
    assert outbound.native is not None, "srtp_protect's C signature changed: the C send path (media/_fanout.c) is off"
    protected = outbound.protect(packets)
    reference = session(pylibsrtp.Policy.SSRC_ANY_OUTBOUND)
    assert protected == [reference.protect(p) for p in packets], "not what pylibsrtp's Session gives"
    inbound = session(pylibsrtp.Policy.SSRC_ANY_INBOUND)
    assert [inbound.unprotect(p) for p in protected] == packets
    codec = aiortc_internals.SrtpCodec(session(pylibsrtp.Policy.SSRC_ANY_INBOUND))
    assert [codec.unprotect(p) for p in protected] == packets
    assert codec.unprotect(protected[0]) is None, "a replayed packet is refused"
    assert codec.unprotect(protected[1][:-1] + b"\x00") is None, "a forged packet is refused"


def test_srtp_codec_raises_what_pylibsrtp_raises():
    import pylibsrtp

    outbound = pylibsrtp.Session(policy=pylibsrtp.Policy(key=bytes(30), ssrc_type=pylibsrtp.Policy.SSRC_ANY_OUTBOUND))
    codec = aiortc_internals.SrtpCodec(outbound)
    with pytest.raises(ValueError):
        codec.protect([bytes([0x80, 96]) + bytes(10) + bytes(1500)])
    with pytest.raises(pylibsrtp.Error):
        codec.protect([bytes([0x80, 96, 0, 1])])  # shorter than an RTP header
