"""Larger UDP receive buffers for many aiortc peers in one process (the load tester, the tests)."""

from __future__ import annotations

import socket

from aiortc import RTCPeerConnection

RECEIVE_BUFFER = 4 * 1024 * 1024


def enlarge_receive_buffers(pc: RTCPeerConnection) -> None:
    """Give each of the peer's UDP sockets (gathered by ``setLocalDescription``) a 4 MB receive buffer.

    The load tester and the tests run many peers in one event loop; on a loaded machine the loop
    stalls for longer than the default 208 KB buffer absorbs, and the kernel drops packets that a
    real client, in its own process, would have read. aiortc then waits out a gap it NACKed once,
    for tens of seconds. Reads aioice internals: client-side tuning, not SFU behaviour.
    """
    for ice_transport in getattr(pc, "_RTCPeerConnection__iceTransports", ()):
        for protocol in getattr(ice_transport._connection, "_protocols", ()):
            sock = protocol.transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
