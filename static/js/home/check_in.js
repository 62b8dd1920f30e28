// The client's daily check-in on their own page: how their mood, sleep and cravings are today, and
// anything they want to add; then the questionnaires (PHQ-9, GAD-7, the program's own) one at a time.
// Calm words whatever the answers; when the server marks an answer urgent, the page points to the
// help button and the numbers to call (a person on the care team reviews it). Text only, never HTML.

import { $, el, announce } from "../lib/dom.js";
import { checkInStatus, sendCheckIn, sendScreener } from "./requests.js";
import { drawScreener, screenerAnswers } from "./screener_form.js";

const SLEEP_QUALITY = ["Very poorly", "Poorly", "All right", "Well", "Very well"];

function scale(id, label, low, high, value) {
  const output = el("output", { for: id, class: "check-in-value", id: `${id}-value` }, String(value));
  const input = el("input", { type: "range", id, name: id, min: 0, max: 10, step: 1, value,
    "aria-describedby": `${id}-ends`, oninput: (e) => { output.textContent = e.target.value; } });
  return el("div", { class: "field check-in-scale" },
    el("label", { for: id }, label, " ", output),
    input,
    el("div", { class: "check-in-ends", id: `${id}-ends` }, el("span", {}, `0 ${low}`), el("span", {}, `10 ${high}`)));
}

function sleepFields() {
  return el("fieldset", { class: "field" },
    el("legend", {}, "Sleep last night"),
    el("label", { for: "check-in-sleep-hours", class: "check-in-sub" }, "Hours slept (if you know)"),
    el("input", { type: "number", id: "check-in-sleep-hours", min: 0, max: 24, step: 0.5, inputmode: "decimal" }),
    el("label", { for: "check-in-sleep-quality", class: "check-in-sub" }, "How well did you sleep?"),
    el("select", { id: "check-in-sleep-quality" }, el("option", { value: "" }, "Choose…"),
      SLEEP_QUALITY.map((text, n) => el("option", { value: n }, text))));
}

function result(box, answer) {
  box.hidden = false;
  box.className = answer.show_help ? "notice notice-warning" : "notice notice-info";
  box.replaceChildren(el("p", {}, answer.message));
  announce(answer.message, { assertive: answer.show_help });
  if (answer.show_help) box.append(el("p", {}, el("a", { href: "#help-title" }, "Go to “I need help now”")));
}

function body() {
  const hours = $("#check-in-sleep-hours").value;
  const quality = $("#check-in-sleep-quality").value;
  const note = $("#check-in-note").value.trim();
  return {
    mood: Number($("#check-in-mood").value), cravings: Number($("#check-in-cravings").value),
    sleep_hours: hours === "" ? null : Number(hours), sleep_quality: quality === "" ? null : Number(quality),
    note: note || null,
  };
}

function checkInForm(token, done) {
  const error = el("p", { class: "form-error", role: "alert" });
  const form = el("form", { id: "check-in-form", class: "check-in-form" },
    scale("check-in-mood", "Mood today", "very low", "very good", 5),
    sleepFields(),
    scale("check-in-cravings", "Cravings or urges today", "none", "very strong", 0),
    el("div", { class: "field" },
      el("label", { for: "check-in-note" }, "Anything you want to add (optional)"),
      el("textarea", { id: "check-in-note", rows: 3, maxlength: 2000 })),
    error,
    el("button", { type: "submit", class: "btn btn-primary btn-block", id: "check-in-send" }, "Send my check-in"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answers = body();
    if (answers.sleep_hours === null && answers.sleep_quality === null) {
      error.textContent = "Please say how you slept: the hours, or how well.";
      return;
    }
    error.textContent = "";
    form.querySelector("button[type=submit]").disabled = true;
    try {
      done(await sendCheckIn(token, answers));
    } catch (failure) {
      error.textContent = failure.message;
      form.querySelector("button[type=submit]").disabled = false;
    }
  });
  return form;
}

function questionnaires(token, instruments) {
  const area = el("div", { class: "screener-area" });
  const box = el("div", { id: "screener-result", role: "status", hidden: true });
  const open = (instrument) => {
    const form = drawScreener(instrument, async (formNode) => {
      const answers = screenerAnswers(instrument, formNode);
      if (!answers) return "Please answer every question.";
      const answer = await sendScreener(token, instrument.key, answers);
      area.replaceChildren(list);
      result(box, answer);
      return null;
    }, () => area.replaceChildren(list));
    area.replaceChildren(form);
    form.querySelector("legend, h3")?.focus();
  };
  const list = el("ul", { class: "screener-list" }, instruments.map((instrument) => el("li", {},
    el("button", { type: "button", class: "btn btn-block", dataset: { screener: instrument.key },
      onclick: () => { box.hidden = true; open(instrument); } }, instrument.title))));
  area.replaceChildren(list);
  return [el("h3", {}, "Questionnaires"),
    el("p", { class: "hint" }, "Your care team may ask you to fill one in. Each takes a few minutes."), area, box];
}

function leadText(status) {
  if (status.due_today) return "Your care team asked for a check-in today. It takes a minute.";
  const last = status.last_submitted_at && new Date(status.last_submitted_at);
  if (last && last.toDateString() === new Date().toDateString()) {
    const at = last.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    return `You checked in today at ${at}. You can check in again if something has changed.`;
  }
  return "A minute to note how you are. Your care team reads it.";
}

export async function drawCheckIn(token) {
  const card = $("#home-check-in");
  const status = await checkInStatus(token);
  const box = el("div", { id: "check-in-result", role: "status", hidden: true });
  const lead = el("p", { class: "lead", id: "check-in-lead" }, leadText(status));
  const form = checkInForm(token, (answer) => {
    form.replaceWith(box);
    lead.textContent = "You checked in. You can fill in a questionnaire below if your care team asked.";
    result(box, answer);
  });
  card.replaceChildren(el("h2", { id: "check-in-title" }, "How are you today?"), lead, form,
    ...questionnaires(token, status.instruments));
  card.hidden = false;
}
