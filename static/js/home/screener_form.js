// One questionnaire as a form: its items exactly as published (or as the program loaded them), each
// answered with one of its options, and its attribution. Text only, never HTML.

import { el } from "../lib/dom.js";

function item(instrument, entry, n) {
  const name = `${instrument.key}-${entry.key}`;
  return el("fieldset", { class: "field screener-item", dataset: { item: entry.key } },
    el("legend", {}, `${n}. ${entry.text}`),
    el("div", { class: "screener-options" }, entry.options.map((option) => el("label", {},
      el("input", { type: "radio", name, value: option.points, required: entry.scored }), option.label))));
}

export function screenerAnswers(instrument, form) {
  const answers = {};
  for (const entry of instrument.items) {
    const picked = form.querySelector(`input[name="${instrument.key}-${entry.key}"]:checked`);
    if (picked) answers[entry.key] = Number(picked.value);
    else if (entry.scored) return null;
  }
  return answers;
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
