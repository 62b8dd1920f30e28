// The daily check-ins the care team asks of a client on their page "my Steadyline": for how many days and
// at what time (on the program's clock), each reminded once unless they have checked in. A new schedule
// replaces the one before. Text only, never HTML.

import { el, announce } from "../lib/dom.js";

function said(schedule) {
  if (!schedule) return "No daily check-ins are scheduled.";
  const last = schedule.due[schedule.due.length - 1];
  const until = new Date(last).toLocaleDateString([], { dateStyle: "medium" });
  return `Daily check-in at ${schedule.time} (${schedule.timezone}) for ${schedule.days} day`
    + `${schedule.days === 1 ? "" : "s"} from ${schedule.first_day}, until ${until}.`;
}

export function checkInScheduleBlock(requests, clientId) {
  const status = el("p", { role: "status", class: "muted", id: "check-in-schedule-status" }, "Loading…");
  const days = el("input", { id: "check-in-days", type: "number", min: 1, max: 90, value: 7, inputmode: "numeric" });
  const time = el("input", { id: "check-in-time", type: "time", value: "10:00", required: true });
  const submit = async (event) => {
    event.preventDefault();
    try {
      const answer = await requests.scheduleCheckIns(clientId, { days: Number(days.value), time: time.value });
      status.textContent = `Scheduled. ${said(answer.schedule)}`;
    } catch (error) {
      status.textContent = error.message;
    }
    announce(status.textContent);
  };
  requests.checkInSchedule(clientId).then((answer) => { status.textContent = said(answer.schedule); },
    (error) => { status.textContent = error.message; });
  return el("div", { class: "check-in-schedule" },
    el("h4", {}, "Daily check-ins"),
    el("p", { class: "hint" }, "They check in on their own page (mood, sleep, cravings, a note). Each day's "
      + "check-in is reminded once; two missed in a row, or a worrying answer, alert the care team."),
    status,
    el("form", { class: "inline-form", onsubmit: submit },
      el("div", { class: "field" }, el("label", { for: "check-in-days" }, "For how many days"), days),
      el("div", { class: "field" }, el("label", { for: "check-in-time" }, "At (program time)"), time),
      el("button", { type: "submit", class: "btn btn-small", id: "check-in-schedule-save" }, "Schedule check-ins")));
}
