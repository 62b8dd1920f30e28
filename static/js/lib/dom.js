// Small DOM helpers shared by every page. No framework: elements are built with el() and
// views are switched by toggling the `hidden` attribute.

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function $all(selector, root = document) {
  return [...root.querySelectorAll(selector)];
}

// el("button", {class: "btn", onclick: fn, "aria-pressed": "false"}, "Mute")
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      node.className = value;
    } else if (name === "text") {
      node.textContent = value;
    } else if (name === "dataset") {
      Object.assign(node.dataset, value);
    } else if (value === true) {
      node.setAttribute(name, "");
    } else {
      node.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Show exactly one of the page's views (elements with [data-view]) and move focus to its heading,
// so screen-reader and keyboard users land at the start of what changed.
export function showView(name, { focus = true } = {}) {
  let shown = null;
  for (const view of $all("[data-view]")) {
    const match = view.dataset.view === name;
    view.hidden = !match;
    if (match) shown = view;
  }
  if (shown && focus) {
    const heading = shown.querySelector("h1, h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: false });
    }
  }
  document.body.dataset.screen = name;
  return shown;
}

// Polite announcements for screen readers (status changes that are not errors).
export function announce(message, { assertive = false } = {}) {
  const region = document.getElementById(assertive ? "announcer-assertive" : "announcer");
  if (!region) return;
  region.textContent = "";
  // a fresh text node on the next frame makes repeated messages be read again
  requestAnimationFrame(() => { region.textContent = message; });
}

export function formatDuration(totalSeconds) {
  const s = Math.max(0, Math.floor(totalSeconds));
  const minutes = Math.floor(s / 60);
  const seconds = String(s % 60).padStart(2, "0");
  if (minutes < 60) return `${minutes}:${seconds}`;
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}:${seconds}`;
}

export function waitedInWords(totalSeconds) {
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 1) return "less than a minute";
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

export function initials(name) {
  const parts = String(name || "?").trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] || "?").slice(0, 2);
  return letters.toUpperCase();
}

export function formatTime(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
}
