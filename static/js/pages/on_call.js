// The on-call clinician's page: "I'm on it" posts the token from the link's fragment (never sent to a
// server by the browser) so nobody else is paged, and says plainly what happened.

import { ApiError } from "../lib/api.js";
import { answerPage } from "../crisis/requests.js";
import { $, showView } from "../lib/dom.js";

async function answer(token) {
  const button = $("#answer");
  button.disabled = true;
  $("#answer-error").textContent = "";
  try {
    const answered = await answerPage(token);
    $("#answered-title").textContent = answered.acknowledged ? "Thank you — nobody else will be paged" : "No answer needed";
    $("#answered-message").textContent = answered.message;
    showView("answered");
  } catch (error) {
    button.disabled = false;
    if (error instanceof ApiError && error.status === 401) return showView("invalid");
    $("#answer-error").textContent = error.message;
  }
}

function main() {
  const token = location.hash.slice(1);
  if (!/^[A-Za-z0-9_.-]{20,2048}$/.test(token)) return showView("invalid");
  $("#answer").addEventListener("click", () => answer(token));
}

main();
