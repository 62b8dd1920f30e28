// One questionnaire as a form: its items exactly as published (or as the program loaded them), each
// answered with one of its options, and its attribution. An item asked only after a given answer to an
// earlier one (skip logic) shows when that answer is chosen. Text only, never HTML.

import { el } from "../lib/dom.js";

function item(instrument, entry, n) {
  const name = `${instrument.key}-${entry.key}`;
  return el("fieldset", { class: "field screener-item", dataset: { item: entry.key } },
    el("legend", {}, `${n}. ${entry.text}`),
    el("div", { class: "screener-options" }, entry.options.map((option) => el("label", {},
      el("input", { type: "radio", name, value: option.points, required: entry.scored }), option.label))));
}

function asked(entry, answers) {
  return !entry.ask_if || (answers[entry.ask_if.item] ?? 0) >= entry.ask_if.at_least;
}

function picked(instrument, form) {
  const answers = {};
  for (const entry of instrument.items) {
    const choice = form.querySelector(`input[name="${instrument.key}-${entry.key}"]:checked`);
    if (choice && asked(entry, answers)) answers[entry.key] = Number(choice.value);
  }
  return answers;
}

// Show the items the answers so far ask for; hide (and clear) the others.
function showAsked(instrument, form) {
  const answers = picked(instrument, form);
  for (const entry of instrument.items) {
    const node = form.querySelector(`[data-item="${entry.key}"]`);
    const show = asked(entry, answers);
    node.hidden = !show;
    if (!show) node.querySelectorAll("input").forEach((input) => { input.checked = false; });
  }
}

export function screenerAnswers(instrument, form) {
  const answers = picked(instrument, form);
  const missing = instrument.items.some((entry) => entry.scored && asked(entry, answers) && !(entry.key in answers));
  return missing ? null : answers;
}

export function drawScreener(instrument, onSend, onCancel) {
  const error = el("p", { class: "form-error", role: "alert" });
  const form = el("form", { class: "screener-form", dataset: { screener: instrument.key }, novalidate: true },
    el("h3", { tabindex: -1 }, instrument.title),
    el("p", { class: "screener-preamble" }, instrument.preamble),
    instrument.items.map((entry, n) => item(instrument, entry, n + 1)),
    error,
    el("div", { class: "screener-actions" },
      el("button", { type: "submit", class: "btn btn-primary" }, "Send my answers"),
      el("button", { type: "button", class: "btn btn-quiet", onclick: onCancel }, "Not now")),
    instrument.attribution ? el("p", { class: "hint screener-attribution" }, instrument.attribution) : null);
  form.addEventListener("change", () => showAsked(instrument, form));
  showAsked(instrument, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const send = form.querySelector("button[type=submit]");
    send.disabled = true;
    try {
      error.textContent = (await onSend(form)) || "";
    } catch (failure) {
      error.textContent = failure.message;
    }
    send.disabled = false;
  });
  return form;
}
