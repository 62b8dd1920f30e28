// The client's messages with their care team, on their own page: the thread (their own on the right, with
// "Read" once a clinician opened it), a box to write in and an "Urgent" choice with plain words about what it
// does. After hours an urgent message is answered with the numbers to call and the help button (the on-call
// clinician is paged). The thread is fetched again every 20 s while the page is visible. Text only, never HTML.

import { $, el, announce } from "../lib/dom.js";
import { loadMessages, sendMessage } from "./requests.js";
import { lines } from "./home_view.js";

const POLL_MS = 20000;
const MAX_LENGTH = 4000;

function when(iso) {
  return new Date(iso).toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" });
}

function messageItem(message) {
  const receipt = message.mine
    ? el("span", { class: "message-receipt", dataset: { read: message.read_at ? "yes" : "no" } },
      message.read_at ? "Read" : "Sent")
    : null;
  return el("li", { class: `message ${message.mine ? "message-mine" : "message-theirs"}`,
    dataset: { messageId: message.message_id } },
  el("p", { class: "message-meta" }, el("span", { class: "message-sender" }, message.sender_name), " · ",
    el("time", { datetime: message.sent_at }, when(message.sent_at)),
    message.urgent ? el("span", { class: "message-urgent" }, "Urgent") : null),
  el("p", { class: "message-text" }, message.text),
  receipt);
}

function drawThread(list, thread) {
  if (!thread.messages.length) {
    list.replaceChildren(el("li", { class: "muted message-empty" }, "No messages yet. Write to your care team below."));
    return;
  }
  list.replaceChildren(...thread.messages.map(messageItem));
}

function answerBox(box, answer, onHelp) {
  box.hidden = false;
  box.className = answer.show_help ? "notice notice-warning message-answer" : "notice notice-info message-answer";
  box.replaceChildren(el("p", {}, answer.notice));
  if (answer.show_help) {
    box.append(
      el("button", { type: "button", class: "btn btn-danger btn-block", id: "message-help", onclick: onHelp },
        answer.help ? "I need help now — go to my video room" : "I need help now"),
      el("p", { class: "home-danger" }, "If you are in danger right now, call:"), lines(answer.crisis_lines));
  }
  announce(answer.notice, { assertive: answer.show_help });
}

function form(token, list, onSent, { onHelp, onHelpOpened }) {
  const error = el("p", { class: "form-error", role: "alert" });
  const box = el("div", { id: "message-answer", role: "status", hidden: true });
  const text = el("textarea", { id: "message-text", rows: 3, maxlength: MAX_LENGTH,
    "aria-describedby": "message-hint" });
  const urgent = el("input", { type: "checkbox", id: "message-urgent" });
  const node = el("form", { id: "message-form", class: "message-form" },
    el("div", { class: "field" }, el("label", { for: "message-text" }, "Write to your care team"), text),
    el("div", { class: "message-urgent-field" }, urgent, el("label", { for: "message-urgent" }, "Urgent")),
    el("p", { class: "hint", id: "message-hint" }, "Your care team reads messages in office hours. For anything "
      + "urgent after hours, use \u201cI need help now\u201d or call 988."),
    error,
    el("button", { type: "submit", class: "btn btn-primary btn-block", id: "message-send" }, "Send"),
    box);
  node.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!text.value.trim()) {
      error.textContent = "Write a message first.";
      return;
    }
    error.textContent = "";
    const button = $("#message-send", node);
    button.disabled = true;
    try {
      const answer = await sendMessage(token, { text: text.value, urgent: urgent.checked });
      text.value = "";
      urgent.checked = false;
      answerBox(box, answer, onHelp);
      if (answer.help) onHelpOpened(answer.help);
      await onSent();
    } catch (failure) {
      error.textContent = failure.message;
    } finally {
      button.disabled = false;
    }
  });
  return node;
}

export async function drawMessages(token, { onHelp, onHelpOpened }) {
  const card = $("#home-messages");
  const list = el("ol", { class: "message-list", id: "message-list", "aria-live": "polite" });
  const refresh = async () => drawThread(list, await loadMessages(token));
  await refresh();
  card.replaceChildren(el("h2", { id: "messages-title" }, "Messages"),
    el("p", { class: "lead" }, "Write to your care team between sessions. Only they can read it."),
    list, form(token, list, refresh, { onHelp, onHelpOpened }));
  card.hidden = false;
  setInterval(() => {
    if (document.visibilityState === "visible") refresh().catch(() => {});
  }, POLL_MS);
}
