// How a client has been between sessions, at a glance: their check-ins (mood and cravings, 0–10) and
// questionnaire totals (PHQ-9 of 27, GAD-7 of 21) as small line charts, oldest to newest, with the same
// figures in a table for screen readers. People would rather look than read.

import { el } from "../lib/dom.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 320;
const HEIGHT = 90;
const PAD = 6;

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

function day(iso) {
  return new Date(iso).toLocaleDateString([], { day: "numeric", month: "short" });
}

// series: [{label, cls, max, points: [{at, value}]}] drawn on one time axis
function chart(title, series) {
  const times = series.flatMap((s) => s.points.map((p) => new Date(p.at).getTime()));
  const first = Math.min(...times);
  const span = Math.max(Math.max(...times) - first, 1);
  const x = (at) => PAD + ((new Date(at).getTime() - first) / span) * (WIDTH - 2 * PAD);
  const figure = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "trend-svg", role: "img",
    "aria-label": `${title}: ${series.map((s) => `${s.label} latest ${s.points.at(-1)?.value ?? "none"}`).join(", ")}` });
  for (const s of series) {
    if (!s.points.length) continue;
    const y = (value) => HEIGHT - PAD - (value / s.max) * (HEIGHT - 2 * PAD);
    const path = s.points.map((p, i) => `${i ? "L" : "M"}${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
    figure.append(svg("path", { d: path, class: `trend-line ${s.cls}` }));
    for (const p of s.points) figure.append(svg("circle", { cx: x(p.at), cy: y(p.value), r: 2.5, class: `trend-dot ${s.cls}` }));
  }
  const legend = el("p", { class: "trend-legend" }, ...series.map((s) => el("span", { class: `trend-key ${s.cls}` },
    `${s.label}${s.points.length ? `: ${s.points.at(-1).value}` : ""}`)));
  const rows = series.flatMap((s) => s.points.map((p) => el("tr", {}, el("td", {}, day(p.at)), el("td", {}, s.label),
    el("td", {}, String(p.value)))));
  const table = el("table", { class: "visually-hidden" }, el("caption", {}, title),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Day"), el("th", { scope: "col" }, "Measure"),
      el("th", { scope: "col" }, "Value"))), el("tbody", {}, ...rows));
  return el("figure", { class: "trend" }, el("figcaption", {}, title), figure, legend, table);
}

export function trendBlock(requests, clientId) {
  const root = el("div", { class: "trends", "aria-label": "Trends" }, el("p", { class: "muted" }, "Loading trends…"));
  requests.checkIns(clientId).then((history) => {
    const checkIns = history.check_ins;
    const of = (name) => history.screeners.filter((s) => s.instrument === name)
      .map((s) => ({ at: s.submitted_at, value: s.total }));
    const charts = [];
    if (checkIns.length) {
      charts.push(chart("Check-ins", [
        { label: "Mood", cls: "trend-mood", max: 10, points: checkIns.map((c) => ({ at: c.submitted_at, value: c.mood })) },
        { label: "Cravings", cls: "trend-cravings", max: 10,
          points: checkIns.map((c) => ({ at: c.submitted_at, value: c.cravings })) },
      ]));
    }
    if (history.screeners.length) {
      charts.push(chart("Questionnaires", [
        { label: "PHQ-9", cls: "trend-phq9", max: 27, points: of("phq9") },
        { label: "GAD-7", cls: "trend-gad7", max: 21, points: of("gad7") },
      ]));
    }
    root.replaceChildren(...(charts.length ? charts : [el("p", { class: "muted" }, "No check-ins yet.")]));
  }).catch((error) => root.replaceChildren(el("p", { class: "form-error" }, error.message)));
  return root;
}
