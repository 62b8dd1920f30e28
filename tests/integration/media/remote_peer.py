"""A participant in its own process, signalling as JSON lines on stdin/stdout.

Used to stall a participant for real: SIGSTOP freezes the process, so it stops
reading its socket, answering RTCP and sending media, like a dead network.
Run as ``python -m tests.integration.media.remote_peer <participant_id>``.
"""

import asyncio
import json
import sys

from aiortc import RTCSessionDescription

from media import aiortc_internals

from loadtest.receive_buffers import enlarge_receive_buffers

from .harness import OpusPacketTrack, PatternVideoTrack, peer_connection


def emit(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def main(participant_id: str) -> None:
    pc = peer_connection()
    frames = {"video": 0, "audio": 0}

    @pc.on("track")
    def on_track(track):
        receiver = next(t.receiver for t in pc.getTransceivers() if t.receiver.track is track)

        def count(codec, frame):
            frames[track.kind] += 1

        aiortc_internals.install_decoder_tap(receiver, count)

    pc.addTransceiver(OpusPacketTrack(0.1), direction="sendonly")
    pc.addTransceiver(PatternVideoTrack(160, 120, fps=10), direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    enlarge_receive_buffers(pc)
    emit({"type": "offer", "sdp": pc.localDescription.sdp})

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    async def report():
        while True:
            await asyncio.sleep(0.2)
            emit({"type": "frames", **frames})

    reporter = asyncio.ensure_future(report())
    while line := await reader.readline():
        message = json.loads(line)
        if message["type"] == "answer":
            await pc.setRemoteDescription(RTCSessionDescription(sdp=message["sdp"], type="answer"))
        elif message["type"] == "offer":
            await pc.setRemoteDescription(RTCSessionDescription(sdp=message["sdp"], type="offer"))
            await pc.setLocalDescription(await pc.createAnswer())
            emit({"type": "answer", "sdp": pc.localDescription.sdp})
    reporter.cancel()
    await pc.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
