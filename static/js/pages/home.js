// /home#<token>: the client's own page ("my Steadyline"), at any hour. The standing link's token is
// exchanged for a page token (kept for this tab), the link leaves the address bar, and the page shows
// their plan, numbers to call, sessions, and "I need help now": that opens their urgent help room,
// where the on-call clinician joins them; the page says truthfully where that stands. Below it, their
// daily check-in and questionnaires (home/check_in.js) and their messages with their care team
// (home/messages.js).

import { $, showView, announce } from "../lib/dom.js";
import { loadHomeToken, saveHomeToken, forgetHomeToken, saveParticipant, forgetParticipant } from "../lib/storage.js";
import { openHome, loadHome, askForHelp, joinSession } from "../home/requests.js";
import { drawHome } from "../home/home_view.js";
import { drawCheckIn } from "../home/check_in.js";
import { drawMessages } from "../home/messages.js";

let token = null;

function go(answer) {
  forgetParticipant();
  saveParticipant(answer);
  location.assign("/join"); // the call page starts from the saved participant token
}

async function join(session) {
  try {
    go(await joinSession(token, session.session_id));
  } catch (error) {
    $("#home-error").textContent = error.message;
  }
}

async function help() {
  const button = $("#help-now");
  button.disabled = true;
  $("#help-state").hidden = false;
  $("#help-headline").textContent = "Opening a video room for you…";
  announce("Opening a video room for you", { assertive: true });
  try {
    const answer = await askForHelp(token);
    $("#help-headline").textContent = answer.headline;
    $("#help-detail").textContent = answer.detail;
    go(await joinSession(token, answer.session_id));
  } catch (error) {
    button.disabled = false;
    $("#help-headline").textContent = "We could not open the video room";
    $("#help-detail").textContent = `${error.message} If you are in danger now, call one of the numbers below.`;
  }
}

// An open call for help (pressed, or opened by an urgent message after hours): the button goes back to it.
function helpOpen(where) {
  $("#help-state").hidden = false;
  $("#help-headline").textContent = where.headline;
  $("#help-detail").textContent = where.detail;
  $("#help-now").textContent = "Go back to my video room";
}

async function show() {
  let home;
  try {
    home = await loadHome(token);
  } catch (error) {
    if (error.status === 401) {
      forgetHomeToken();
      return showView("invalid");
    }
    $("#error-text").textContent = error.message;
    return showView("error");
  }
  drawHome(home, { onJoin: join });
  if (home.help) helpOpen(home.help);
  $("#help-now").onclick = help;
  showView("home", { focus: false });
  drawCheckIn(token).catch((error) => { $("#home-error").textContent = error.message; });
  drawMessages(token, { onHelp: help, onHelpOpened: helpOpen }).catch((error) => { $("#home-error").textContent = error.message; });
}

async function main() {
  const fragment = decodeURIComponent(location.hash.slice(1));
  if (fragment) {
    history.replaceState(null, "", location.pathname); // the link leaves the address bar
    try {
      const opened = await openHome(fragment);
      saveHomeToken(opened);
    } catch (error) {
      if (error.status === 0 || error.status >= 500) {
        $("#error-text").textContent = error.message;
        return showView("error");
      }
      return showView("invalid");
    }
  }
  token = loadHomeToken();
  if (!token) return showView("invalid");
  await show();
}

$("#error-retry").addEventListener("click", () => location.reload());
window.addEventListener("hashchange", () => { if (location.hash.length > 1) location.reload(); });
main();
