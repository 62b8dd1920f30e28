"""SRTP with a pylibsrtp ``Session``'s own libsrtp context, and libsrtp's ``srtp_protect`` as an
address for the C send path (:mod:`media._fanout`)."""

from __future__ import annotations

import logging
from typing import Any

import pylibsrtp
from pylibsrtp import ERRORS as _SRTP_ERRORS
from pylibsrtp import SRTP_MAX_TRAILER_LEN as _SRTP_TRAILER
from pylibsrtp._binding import ffi as _srtp_ffi
from pylibsrtp._binding import lib as _srtp_lib

from ..datagram_batch import NativeProtect
from .contract import _require

logger = logging.getLogger(__name__)

_SRTP_PROTECT_SIGNATURE = "srtp_err_status_t(*)(struct srtp_ctx_t_ *, void *, int *)"  # as media/_fanout.c calls it


def _srtp_protect_address() -> int | None:
    """libsrtp's ``srtp_protect`` (inside pylibsrtp's binding) as an address, if its C
    signature is the one the C send path calls; otherwise that path stays off."""
    function = _srtp_ffi.addressof(_srtp_lib, "srtp_protect")
    if _srtp_ffi.typeof(function).cname != _SRTP_PROTECT_SIGNATURE:
        logger.warning("pylibsrtp's srtp_protect has another signature: C send path off")
        return None
    return int(_srtp_ffi.cast("uintptr_t", function))


_SRTP_PROTECT_ADDRESS = _srtp_protect_address()


class SrtpCodec:
    """SRTP protect / unprotect with a ``pylibsrtp.Session``'s own libsrtp context and
    buffer, without the ``Session`` method's per-call checks and its ``ffi.new`` (they
    were half the Python cost of forwarding a packet). Same libsrtp calls, same
    results; an error status raises ``pylibsrtp.Error`` as the ``Session`` would."""

    def __init__(self, session: Any) -> None:
        for name in ("_srtp", "_cdata", "_buffer"):
            _require(session, name)
        self.session = session
        self._context = session._srtp[0]
        self._cdata, self._buffer = session._cdata, session._buffer
        self._length = _srtp_ffi.new("int *")
        self._room = len(session._cdata) - _SRTP_TRAILER
        # for the C send path (media._fanout): libsrtp's srtp_protect and this context, as addresses
        self.native = None if _SRTP_PROTECT_ADDRESS is None else NativeProtect(
            _SRTP_PROTECT_ADDRESS, int(_srtp_ffi.cast("uintptr_t", self._context)), _SRTP_TRAILER)

    def protect(self, packets: list[bytes]) -> list[bytes]:
        protect, context, cdata, buffer, length, room = (
            _srtp_lib.srtp_protect, self._context, self._cdata, self._buffer, self._length, self._room)
        out = []
        for packet in packets:
            size = len(packet)
            if size > room:
                raise ValueError("packet is too long")
            buffer[0:size] = packet
            length[0] = size
            status = protect(context, cdata, length)
            if status:
                raise pylibsrtp.Error(_SRTP_ERRORS[status] if status < len(_SRTP_ERRORS) else str(status))
            out.append(buffer[0:length[0]])
        return out

    def unprotect(self, packet: bytes) -> bytes | None:
        """The plain RTP packet, or None if it fails authentication or replay checks."""
        size = len(packet)
        if size > len(self._cdata):
            return None
        self._buffer[0:size] = packet
        self._length[0] = size
        if _srtp_lib.srtp_unprotect(self._context, self._cdata, self._length):
            return None
        return self._buffer[0:self._length[0]]
