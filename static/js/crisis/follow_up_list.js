// A follow-up plan made when a crisis closed, as a list the care team ticks off (used by the crisis
// panel right after closing and by the console's view of a client).

import { el } from "../lib/dom.js";

export const FOLLOW_UP_WORDS = {
  check_in: "Check-in", individual_session: "Individual session", family_debrief: "Family debrief",
};

function when(iso) {
  return new Date(iso).toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short",
    hour: "2-digit", minute: "2-digit" });
}

// onDone(item) marks an item done; without it the list is read-only.
export function followUpItems(plan, onDone = null) {
  return el("ul", { class: "follow-up-items" }, ...plan.items.map((item) => el("li", {
    class: item.done_at ? "follow-up-item done" : "follow-up-item", dataset: { kind: item.kind } },
  el("span", { class: "follow-up-when" }, when(item.due_at)), " ",
  el("strong", {}, FOLLOW_UP_WORDS[item.kind] || item.kind), " ",
  el("span", { class: "muted" }, item.description), " ",
  item.done_at ? el("span", { class: "muted" }, "Done.")
    : onDone ? el("button", { type: "button", class: "btn btn-small", onclick: () => onDone(item) }, "Mark done")
      : null)));
}

// How the crisis went, in plain lines (who was paged, who answered, who closed it), for the care team
// reading it afterwards; null when the plan carries no story.
export function crisisStory(plan) {
  if (!plan.story || !plan.story.length) return null;
  return el("details", { class: "crisis-story" }, el("summary", {}, "How the crisis went"),
    el("ol", {}, ...plan.story.map((line) => el("li", {},
      el("span", { class: "follow-up-when" }, when(line.at)), " ", line.text))));
}
