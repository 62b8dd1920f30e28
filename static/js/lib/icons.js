// Line icons drawn from simple shapes with DOM APIs (no inline style attributes; stroke colour
// and width come from app.css).

const SVG = "http://www.w3.org/2000/svg";

const SLASH = ["line", { x1: 3, y1: 3, x2: 21, y2: 21 }];
const MIC = [
  ["rect", { x: 9, y: 3, width: 6, height: 11, rx: 3 }],
  ["path", { d: "M5.5 11a6.5 6.5 0 0 0 13 0" }],
  ["line", { x1: 12, y1: 17.5, x2: 12, y2: 21 }],
];
const CAMERA = [
  ["rect", { x: 2.5, y: 6.5, width: 12.5, height: 11, rx: 2 }],
  ["path", { d: "M15 10.5 21.5 7v10L15 13.5" }],
];

const SHAPES = {
  mic: MIC,
  micOff: [...MIC, SLASH],
  camera: CAMERA,
  cameraOff: [...CAMERA, SLASH],
  leave: [
    ["path", { d: "M10 4.5H5.5v15H10" }],
    ["line", { x1: 9.5, y1: 12, x2: 20.5, y2: 12 }],
    ["path", { d: "M16.5 8l4 4-4 4" }],
  ],
  headphones: [
    ["path", { d: "M4 16v-4a8 8 0 0 1 16 0v4" }],
    ["rect", { x: 3, y: 14, width: 4.5, height: 6.5, rx: 1.5 }],
    ["rect", { x: 16.5, y: 14, width: 4.5, height: 6.5, rx: 1.5 }],
  ],
  lock: [
    ["rect", { x: 5, y: 11, width: 14, height: 10, rx: 2 }],
    ["path", { d: "M8 11V8a4 4 0 0 1 8 0v3" }],
  ],
  speaker: [
    ["path", { d: "M4 9.5h3.5L12.5 5.5v13l-5-4H4z" }],
    ["path", { d: "M16 9a4.5 4.5 0 0 1 0 6" }],
    ["path", { d: "M18.5 6.5a8 8 0 0 1 0 11" }],
  ],
  home: [
    ["path", { d: "M4 11 12 4l8 7" }],
    ["path", { d: "M6.5 9.5V20h11V9.5" }],
  ],
  screen: [
    ["rect", { x: 3, y: 4.5, width: 18, height: 12, rx: 1.5 }],
    ["path", { d: "M9 20.5h6M12 16.5v4" }],
  ],
  chat: [
    ["path", { d: "M4 5.5h16v10H9.5L5 19.5v-4H4z" }],
  ],
  hand: [
    ["path", { d: "M8 12V5.5a1.5 1.5 0 0 1 3 0V11" }],
    ["path", { d: "M11 10.5V4a1.5 1.5 0 0 1 3 0v6.5" }],
    ["path", { d: "M14 10.5V5.5a1.5 1.5 0 0 1 3 0V14a6 6 0 0 1-6 6h-.5a6 6 0 0 1-4.6-2.2L4 15.5a1.5 1.5 0 0 1 2.3-1.9L8 15" }],
  ],
  copy: [
    ["rect", { x: 8.5, y: 8.5, width: 11.5, height: 11.5, rx: 2 }],
    ["path", { d: "M15.5 8.5V5.5a1.5 1.5 0 0 0-1.5-1.5H5.5A1.5 1.5 0 0 0 4 5.5V14a1.5 1.5 0 0 0 1.5 1.5h3" }],
  ],
};

export function icon(name) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", `icon icon-${name}`);
  for (const [tag, attrs] of SHAPES[name]) {
    const shape = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs)) shape.setAttribute(key, String(value));
    svg.append(shape);
  }
  return svg;
}

export function setIcon(button, name) {
  const old = button.querySelector("svg.icon");
  const fresh = icon(name);
  if (old) old.replaceWith(fresh);
  else button.prepend(fresh);
}
