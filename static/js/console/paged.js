// The link in an on-call page: /console#page=<single-use token>. The console keeps the token (it leaves
// the address bar at once), asks the clinician to sign in if they are not, then redeems it — it works
// once — and enters that session's call as host, with the crisis panel. The session stays in their list
// (they have a place in it), so a used or expired link still leaves them a way in.

import { $ } from "../lib/dom.js";
import { redeemLink } from "../call/requests.js";

const PAGE = /^#page=([A-Za-z0-9_-]{20,128})$/;
let pending = null;

// Read the page link's token from the address, if there is one; the sign-in screen then says why.
export function takePagedLink() {
  const match = location.hash.match(PAGE);
  if (!match) return;
  history.replaceState(null, "", location.pathname + location.search);
  pending = match[1];
  $("#signin-paged").hidden = false;
}

// Signed in: go straight into the paged session's call. False when there was no page link.
export async function answerPagedLink(startCall, showError) {
  if (!pending) return false;
  const token = pending;
  pending = null;
  $("#signin-paged").hidden = true;
  let redeemed;
  try {
    redeemed = await redeemLink(token);
  } catch (error) {
    showError(error.status === 410
      ? "The link in your page was already used or has expired. If you were paged into a session, it is in "
        + "the list below: start its call from there."
      : error.message);
    return false;
  }
  await startCall(redeemed.session_id);
  return true;
}
