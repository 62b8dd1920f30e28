// Connection quality from getStats(): round-trip time of the nominated candidate pair and packet
// loss since the previous reading, graded good / fair / poor. Shared by PeerMesh and SfuConnection.

export function roundTripTime(report) {
  let rtt = null;
  report.forEach((s) => {
    if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded" && s.currentRoundTripTime !== undefined) {
      rtt = s.currentRoundTripTime;
    }
  });
  return rtt;
}

// Packets received and lost on `inbound-rtp` entries that `accept` (default: all).
export function inboundTotals(report, accept = () => true) {
  const totals = { received: 0, lost: 0 };
  report.forEach((s) => {
    if (s.type === "inbound-rtp" && accept(s)) {
      totals.received += s.packetsReceived || 0;
      totals.lost += Math.max(0, s.packetsLost || 0);
    }
  });
  return totals;
}

export function grade(rtt, previous, now) {
  const received = now.received - (previous ? previous.received : 0);
  const lost = now.lost - (previous ? previous.lost : 0);
  const loss = received + lost > 0 ? lost / (received + lost) : 0;
  let level = "good";
  if ((rtt !== null && rtt > 0.6) || loss > 0.08) level = "poor";
  else if ((rtt !== null && rtt > 0.3) || loss > 0.02) level = "fair";
  return { level, rtt, loss };
}
