// A client's messages with their care team, in the console's "Between sessions" view: how many of theirs
// nobody has read yet, and "Open messages", which reads the thread — that is the client's "Read" receipt, so
// it is not done before a clinician asks — then the thread with the client's read receipts on ours, and a box
// to answer (the client is e-mailed that there is a message, never its text). Text only, never HTML.

import { el, announce } from "../lib/dom.js";
import { MESSAGES_READ } from "./unread_messages.js";

function when(iso) {
  return new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

function item(message) {
  const receipt = message.sender === "staff"
    ? el("span", { class: "message-receipt" },
      message.read_at ? `Read by the client ${when(message.read_at)}` : "Not read yet")
    : null;
  return el("li", { class: `message ${message.sender === "staff" ? "message-mine" : "message-theirs"}`,
    dataset: { messageId: message.message_id } },
  el("p", { class: "message-meta" }, el("span", { class: "message-sender" }, message.sender_name), " · ",
    el("time", { datetime: message.sent_at }, when(message.sent_at)),
    message.urgent ? el("span", { class: "message-urgent" }, "Urgent") : null),
  el("p", { class: "message-text" }, message.text), receipt);
}

function unreadWords(count) {
  return count ? `${count} unread` : "";
}

export function messagesBlock(requests, clientId) {
  const badge = el("span", { class: "message-unread", id: "messages-unread", hidden: true });
  const status = el("p", { role: "status", class: "muted", id: "messages-status" });
  const list = el("ol", { class: "message-list", id: "console-message-list" });
  const text = el("textarea", { id: "console-message-text", rows: 3, maxlength: 4000 });
  const area = el("div", { class: "console-messages-thread", hidden: true });
  const open = async () => {
    try {
      const thread = await requests.messages(clientId);
      document.dispatchEvent(new CustomEvent(MESSAGES_READ, { detail: { clientId } })); // off "Unread messages"
      list.replaceChildren(...(thread.messages.length ? thread.messages.map(item)
        : [el("li", { class: "muted" }, "No messages yet.")]));
      badge.hidden = true;
      area.hidden = false;
      opener.textContent = "Refresh messages";
      status.textContent = "";
    } catch (error) {
      status.textContent = error.message;
    }
  };
  const send = async (event) => {
    event.preventDefault();
    if (!text.value.trim()) return;
    try {
      const sent = await requests.sendMessage(clientId, text.value);
      text.value = "";
      status.textContent = sent.notified.email === "sent"
        ? "Sent. They were e-mailed that there is a message (not its text)." : "Sent.";
      await open();
    } catch (error) {
      status.textContent = error.message;
    }
    announce(status.textContent);
  };
  const opener = el("button", { type: "button", class: "btn btn-small", id: "messages-open", onclick: open },
    "Open messages");
  requests.unreadMessages(clientId).then((answer) => {
    badge.textContent = unreadWords(answer.unread);
    badge.hidden = !answer.unread;
  }, (error) => { status.textContent = error.message; });
  area.append(list, el("form", { class: "message-form", onsubmit: send },
    el("div", { class: "field" }, el("label", { for: "console-message-text" }, "Write to the client"), text),
    el("button", { type: "submit", class: "btn btn-small", id: "console-message-send" }, "Send")));
  return el("div", { class: "console-messages" },
    el("h4", {}, "Messages", badge),
    el("p", { class: "hint" }, "Opening the thread shows the client their messages were read."),
    opener, status, area);
}
