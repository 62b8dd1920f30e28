from media.payload_types import payload_types, renumber_payload_types

# Chrome's numbering (abridged): VP8 96 + RTX 97, VP9 98 + RTX 99, Opus 111.
BROWSER = "\r\n".join([
    "v=0",
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63", "a=mid:0",
    "a=rtpmap:111 opus/48000/2", "a=rtcp-fb:111 transport-cc", "a=fmtp:111 minptime=10;useinbandfec=1",
    "a=rtpmap:63 red/48000/2", "a=fmtp:63 111/111",
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99", "a=mid:1",
    "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack pli", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
    "a=rtpmap:98 VP9/90000", "a=rtpmap:99 rtx/90000", "a=fmtp:99 apt=98", "",
])
# aiortc's createOffer: Opus 96, VP8 97 + RTX 98, whatever the participant uses.
SERVER = "\r\n".join([
    "v=0",
    "m=audio 9 UDP/TLS/RTP/SAVPF 96", "a=mid:0", "a=rtpmap:96 opus/48000/2",
    "m=video 9 UDP/TLS/RTP/SAVPF 97 98", "a=mid:1",
    "a=rtcp-fb:97 nack", "a=rtcp-fb:97 nack pli", "a=rtcp-fb:97 goog-remb",
    "a=rtpmap:97 VP8/90000", "a=rtpmap:98 rtx/90000", "a=fmtp:98 apt=97",
    "m=video 9 UDP/TLS/RTP/SAVPF 97 98", "a=mid:2",
    "a=rtpmap:97 VP8/90000", "a=rtpmap:98 rtx/90000", "a=fmtp:98 apt=97",
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "a=mid:3", "",
])


def test_the_participants_numbering_by_codec():
    numbering = payload_types(BROWSER)
    assert numbering[("opus", 48000, 2)] == 111
    assert numbering[("vp8", 90000, None)] == 96
    assert numbering[("rtx", ("vp8", 90000, None))] == 97
    assert numbering[("rtx", ("vp9", 90000, None))] == 99


def test_the_servers_offer_takes_the_participants_payload_types():
    out = renumber_payload_types(SERVER, payload_types(BROWSER))
    assert "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" in out
    assert "a=rtpmap:111 opus/48000/2" in out
    assert out.count("m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n") == 2
    assert out.count("a=rtpmap:96 VP8/90000") == 2
    assert out.count("a=fmtp:97 apt=96") == 2
    assert "a=rtcp-fb:96 nack pli" in out and "a=rtcp-fb:97" not in out
    assert "m=application 9 UDP/DTLS/SCTP webrtc-datachannel" in out
    assert payload_types(out) == {
        ("opus", 48000, 2): 111, ("vp8", 90000, None): 96, ("rtx", ("vp8", 90000, None)): 97,
    }


def test_a_codec_the_participant_never_used_moves_off_a_taken_payload_type():
    audio_only = "\r\n".join(["m=audio 9 UDP/TLS/RTP/SAVPF 97", "a=rtpmap:97 opus/48000/2", ""])
    out = renumber_payload_types(SERVER, payload_types(audio_only))
    numbering = payload_types(out)
    assert numbering[("opus", 48000, 2)] == 97
    assert numbering[("vp8", 90000, None)] not in (97, numbering[("rtx", ("vp8", 90000, None))])
    vp8 = numbering[("vp8", 90000, None)]
    assert f"a=fmtp:{numbering[('rtx', ('vp8', 90000, None))]} apt={vp8}" in out


def test_no_numbering_known_leaves_the_offer_alone():
    assert renumber_payload_types(SERVER, {}) == SERVER
    same = renumber_payload_types(SERVER, payload_types(SERVER))
    assert same == SERVER
