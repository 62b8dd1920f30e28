from media.header_extensions import extension_ids, renumber, without_bandwidth_feedback

BROWSER = "\r\n".join([
    "m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=mid:0",
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
    "m=video 9 UDP/TLS/RTP/SAVPF 96", "a=mid:1",
    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid", "",
])
SERVER = "\r\n".join([
    "m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=mid:0",
    "a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid",
    "a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    "a=extmap:7/sendonly urn:example:not-offered-by-the-browser",
    "m=video 9 UDP/TLS/RTP/SAVPF 96", "a=mid:1",
    "a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid",
    "a=extmap:3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", "",
])


def test_the_servers_offer_takes_the_participants_numbering():
    ids = extension_ids(BROWSER)
    assert ids == {"urn:ietf:params:rtp-hdrext:ssrc-audio-level": 1, "urn:ietf:params:rtp-hdrext:sdes:mid": 4,
                   "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time": 2}
    out = renumber(SERVER, ids)
    assert extension_ids(out) == ids
    assert "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid" in out
    assert "not-offered" not in out
    assert out.count("\r\n") == SERVER.count("\r\n") - 1  # only the unknown extension's line went


def test_no_numbering_known_leaves_the_offer_alone():
    assert renumber(SERVER, {}) == SERVER


def test_our_offers_leave_out_bandwidth_estimation_feedback():
    offer = "\r\n".join([
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97", "a=mid:1",
        "a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid",
        "a=extmap:3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
        "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli", "a=rtcp-fb:96 goog-remb",
        "a=rtpmap:97 rtx/90000", "",
    ])
    kept = without_bandwidth_feedback(offer).split("\r\n")
    assert not [line for line in kept if "abs-send-time" in line or "goog-remb" in line]
    assert "a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid" in kept
    assert ["a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli"] == [line for line in kept if line.startswith("a=rtcp-fb")]
