"""Every use of a private aiortc name, in one package.

aiortc (pinned to 1.16.0 in pyproject.toml) has no public API to tap encoded
frames, to send a PLI upstream, or to hear a subscriber's keyframe request when
a track yields pre-encoded packets, nor to send or receive media without its
per-packet machinery. The SFU needs all of these, so this module
reaches into the objects below and nothing else in ``media/`` does.
``tests/unit/media/test_aiortc_contract.py`` exercises each function against
real peers so that an aiortc upgrade which moves these internals fails loudly.

Private names used:

- ``RTCRtpReceiver.__decoder_queue``: the ``queue.Queue`` between the jitter
  buffer and the decoder thread. Items are ``(codec, JitterFrame)`` and
  ``None`` is the stop sentinel the decoder thread waits for.
- ``RTCRtpReceiver.__decoder_thread``: must still be ``None`` when we tap, so the
  thread is started on our queue.
- ``RTCRtpReceiver.__jitter_buffer``: an object with ``add(packet) ->
  (pli_flag, JitterFrame | None)``.
- ``RTCRtpReceiver._send_rtcp_pli(media_ssrc)``: sends a Picture Loss Indication.
- ``RTCRtpSender._send_keyframe()``: called on a received PLI or FIR; the
  ``pack()`` path of the encoders ignores it, so we replace it per instance.
- ``RTCRtpSender._stream_id``: the msid stream id written into the SDP.
- ``RTCRtpSender._run_rtp(codec)`` / ``._retransmit(seq)``: the sender's RTP
  loop and its NACK answer, replaced per instance for forwarded tracks (see
  :mod:`media.forwarding_sender`); the replacement sets the sender's private
  ``__rtp_started`` / ``__rtp_exited`` events (``stop()`` waits on both), reads
  ``__mid``, ``__rtp_header_extensions_map`` and ``__rtx_payload_type`` (set by
  ``send()`` before the loop starts) and keeps the sender-report counters
  ``__ntp_timestamp``, ``__rtp_timestamp``, ``__packet_count``,
  ``__octet_count`` that ``_run_rtcp`` reads. ``_enabled`` (direction) and
  ``_ssrc`` / ``_rtx_ssrc`` are read as they are.
- ``RTCDtlsTransport._state`` / ``._tx_srtp`` / ``._send_rtp(data)``, the
  ``RTCIceTransport._connection`` (aioice ``Connection``) and its
  ``_nominated`` candidate pairs: a forwarded packet is SRTP-protected and
  handed to the UDP socket of the nominated pair directly (TURN or TCP pairs
  go through ``_send_rtp``, aiortc's own path).
- The receive path of a publication (:class:`LeanRtpReceive`, :class:`SrtpIntake`):
  ``RTCRtpReceiver._handle_rtp_packet`` is replaced per instance by a synchronous
  version that reads the receiver's ``__codecs``, ``__remote_streams``
  (``StreamStatistics``, for receiver reports), ``__rtx_ssrc``, ``__nack_generator``,
  ``__active_ssrc``, ``__decoder_error``, ``__timestamp_mapper``, ``__kind``,
  ``__jitter_buffer``, ``__decoder_thread`` and ``__decoder_queue`` and sends through
  ``_send_rtcp_nack`` / ``_send_rtcp_pli``; ``__remote_bitrate_estimator`` is no
  longer fed (no REMB). The aioice ``Connection.data_received`` of the DTLS
  transport's ICE connection is replaced per instance, reading the DTLS transport's
  ``_rx_srtp``, ``_rtp_router.ssrc_table`` / ``.payload_type_table``,
  ``_rtp_header_extensions_map`` and updating ``__rx_bytes`` / ``__rx_packets``.
- pylibsrtp's ``Session._srtp`` / ``._cdata`` / ``._buffer`` and its cffi
  ``_binding`` (:class:`SrtpCodec`): the same libsrtp calls without the
  ``Session`` method's per-call allocation.
- ``RTCRtpTransceiver._codecs`` / ``._headerExtensions``: the negotiated codecs
  and header extensions. ``createOffer`` resets both to aiortc's own table
  (payload types and extension ids) on every transceiver, while the senders and
  receivers of the last answer are started later by a task (``__connect``) that
  reads them then: they would start with numbers the participant never agreed
  to. :func:`create_offer` puts the negotiated values back at once.
- libsrtp's ``srtp_protect`` as an address (its C signature checked at import) and
  a context's address, for the C send path ``media._fanout``.

Parts: :mod:`.tap` (receivers and offers), :mod:`.sender` (forwarded tracks' senders and the
direct send path), :mod:`.srtp` (pylibsrtp's internals), :mod:`.receive` (the publisher's
receive path); :mod:`.contract` holds the existence check they share.
"""

from .receive import LeanRtpReceive, SrtpIntake
from .sender import (
    DirectRtpPath, record_sent, replace_rtp_loop, rtp_loop_exited, rtp_loop_started, send_rtp, sender_enabled,
    sender_parameters, sender_report_counters, sender_rtx_ssrc, sender_ssrc,
)
from .srtp import SrtpCodec
from .tap import (
    EncodedFrameSink, JitterBufferLike, TapQueue, create_offer, install_decoder_tap, jitter_buffer,
    on_keyframe_request, replace_jitter_buffer, send_pli, set_stream_id,
)

__all__ = [
    "DirectRtpPath", "EncodedFrameSink", "JitterBufferLike", "LeanRtpReceive", "SrtpCodec", "SrtpIntake", "TapQueue",
    "create_offer", "install_decoder_tap", "jitter_buffer", "on_keyframe_request", "record_sent",
    "replace_jitter_buffer", "replace_rtp_loop", "rtp_loop_exited", "rtp_loop_started", "send_pli", "send_rtp",
    "sender_enabled", "sender_parameters", "sender_report_counters", "sender_rtx_ssrc", "sender_ssrc",
    "set_stream_id",
]
