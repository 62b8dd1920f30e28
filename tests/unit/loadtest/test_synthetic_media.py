import asyncio
import time

from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import MediaStreamError

from loadtest.clips import ClipTrack
from loadtest.options import VideoFormat
from loadtest.received_video import ReceivedVideo
from loadtest.synthetic_media import LightMedia

NO_STUN = RTCConfiguration(iceServers=[])


async def _connect(sender: RTCPeerConnection, receiver: RTCPeerConnection) -> None:
    await sender.setLocalDescription(await sender.createOffer())
    await receiver.setRemoteDescription(sender.localDescription)
    await receiver.setLocalDescription(await receiver.createAnswer())
    await sender.setRemoteDescription(receiver.localDescription)


async def _until(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


async def test_a_light_member_sends_a_clip_that_decodes_and_restarts_it_when_asked_for_a_keyframe():
    media = LightMedia(VideoFormat(160, 120, 15))
    sender, receiver = RTCPeerConnection(NO_STUN), RTCPeerConnection(NO_STUN)
    media.add_to(sender)
    tracks = []
    receiver.on("track", lambda track: tracks.append(track) if track.kind == "video" else None)
    try:
        await _connect(sender, receiver)
        await _until(lambda: tracks)
        decoded = [await asyncio.wait_for(tracks[0].recv(), 10) for _ in range(10)]  # real VP8: aiortc decodes it
        assert {(f.width, f.height) for f in decoded} == {(160, 120)}
        camera = next(t.sender for t in sender.getTransceivers() if t.kind == "video")
        clip = camera.track
        assert isinstance(clip, ClipTrack) and clip.position > 0
        camera._send_keyframe()  # what aiortc calls on a PLI or FIR from the far end
        assert clip.position == 0
    except MediaStreamError:
        raise AssertionError("the receiver's track ended before ten frames") from None
    finally:
        await sender.close()
        await receiver.close()


async def test_a_light_member_counts_what_it_receives_without_decoding_it():
    sending, counting = LightMedia(VideoFormat(160, 120, 15)), LightMedia(VideoFormat(160, 120, 15))
    sender, receiver = RTCPeerConnection(NO_STUN), RTCPeerConnection(NO_STUN)
    sending.add_to(sender)
    counting.add_to(receiver)  # it publishes too, as every member does
    received = ReceivedVideo()
    try:
        await sender.setLocalDescription(await sender.createOffer())
        await receiver.setRemoteDescription(sender.localDescription)
        await receiver.setLocalDescription(await receiver.createAnswer())
        counting.count(receiver, received.count, stream="the-sender").learn(sender.localDescription.sdp)
        await sender.setRemoteDescription(receiver.localDescription)
        await _until(lambda: received.frames >= 30)
        assert list(received.streams) == ["the-sender"]
        stream = received.streams["the-sender"]
        assert stream.frames >= 30
        assert 12 <= stream.fps_until(time.monotonic()) <= 18  # the clip's 15 fps, counted from headers
    finally:
        await sender.close()
        await receiver.close()
