// /api/docs: renders the OpenAPI 3.1 document as readable documentation (our own code, offline).

import { $, el } from "../lib/dom.js";
import { openApiDocument } from "../lib/api.js";

let schemas = {};

function refName(ref) {
  return ref.split("/").pop();
}

function typeOf(schema) {
  if (!schema) return "any";
  if (schema.$ref) return el("a", { href: `#schema-${refName(schema.$ref)}` }, refName(schema.$ref));
  if (schema.anyOf || schema.oneOf) {
    const parts = (schema.anyOf || schema.oneOf).map(typeOf);
    return el("span", {}, ...parts.flatMap((p, i) => (i ? [" or ", p] : [p])));
  }
  if (schema.enum) return el("span", {}, "one of ", schema.enum.map((v) => JSON.stringify(v)).join(", "));
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.type === "array") return el("span", {}, "list of ", typeOf(schema.items));
  if (schema.format) return `${schema.type} (${schema.format})`;
  return schema.type || "object";
}

function constraints(schema) {
  const notes = [];
  const c = { minLength: "at least %s characters", maxLength: "at most %s characters", minimum: "≥ %s", maximum: "≤ %s" };
  for (const [key, text] of Object.entries(c)) if (schema[key] !== undefined) notes.push(text.replace("%s", schema[key]));
  if (schema.default !== undefined) notes.push(`default ${JSON.stringify(schema.default)}`);
  return notes.join(", ");
}

function fieldsTable(schema) {
  const props = schema.properties || {};
  const required = new Set(schema.required || []);
  if (!Object.keys(props).length) return el("p", { class: "muted" }, typeof typeOf(schema) === "string" ? typeOf(schema) : "");
  // a table wider than a phone scrolls sideways: focusable, so a keyboard can scroll it too
  return el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Fields" }, el("table", { class: "fields" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Field"), el("th", { scope: "col" }, "Type"),
      el("th", { scope: "col" }, "Notes"))),
    el("tbody", {}, ...Object.entries(props).map(([name, prop]) => el("tr", {},
      el("th", { scope: "row" }, el("code", {}, name), required.has(name) ? el("span", { class: "req" }, " required") : null),
      el("td", {}, typeOf(prop)),
      el("td", {}, [prop.description, constraints(prop)].filter(Boolean).join(". ")))))));
}

function schemaBlock(label, schema) {
  if (!schema) return null;
  const target = schema.$ref ? schemas[refName(schema.$ref)] : schema;
  return el("div", { class: "op-part" }, el("h4", {}, label, " ", el("span", { class: "muted" }, typeOf(schema))),
    target ? fieldsTable(target) : null);
}

function operation(path, method, op) {
  const id = `op-${method}-${path}`.replace(/[^a-zA-Z0-9-]+/g, "-");
  const params = op.parameters || [];
  const body = op.requestBody && op.requestBody.content["application/json"];
  const responses = Object.entries(op.responses || {});
  const section = el("section", { class: "card op", id, "aria-labelledby": `${id}-title` },
    el("h3", { id: `${id}-title`, class: "op-title" },
      el("span", { class: `method method-${method}` }, method.toUpperCase()), " ", el("code", {}, path)),
    el("p", {}, op.summary || ""),
    el("p", { class: "muted" }, op.security && op.security.length ? "Needs a staff access token." : "No sign-in needed."),
    params.length ? el("div", { class: "op-part" }, el("h4", {}, "Parameters"),
      el("ul", {}, ...params.map((p) => el("li", {}, el("code", {}, p.name), ` (${p.in}${p.required ? ", required" : ""})`)))) : null,
    body ? schemaBlock("Request body", body.schema) : null,
    ...responses.map(([status, r]) => {
      const content = r.content && (r.content["application/json"] || r.content["application/problem+json"]);
      const label = status === "default" ? "Errors" : `Response ${status}`;
      return content ? schemaBlock(label, content.schema) : el("div", { class: "op-part" }, el("h4", {}, label), el("p", { class: "muted" }, r.description));
    }));
  return { id, section };
}

async function main() {
  let doc;
  try {
    doc = await openApiDocument();
  } catch {
    $("#docs-status").textContent = "The API description couldn't be loaded. Try reloading the page.";
    return;
  }
  schemas = (doc.components && doc.components.schemas) || {};
  $("#docs-title").textContent = `${doc.info.title} ${doc.info.version}`;
  const groups = new Map();
  for (const [path, methods] of Object.entries(doc.paths)) {
    const group = path.split("/")[2] || "api";
    for (const [method, op] of Object.entries(methods)) {
      if (!groups.has(group)) groups.set(group, []);
      groups.get(group).push(operation(path, method, op));
    }
  }
  const toc = $("#docs-toc");
  const ops = $("#docs-ops");
  for (const [group, items] of groups) {
    const title = group.charAt(0).toUpperCase() + group.slice(1);
    ops.append(el("h2", { class: "docs-group", id: `group-${group}` }, title), ...items.map((i) => i.section));
    toc.append(el("li", {}, el("a", { href: `#group-${group}` }, title),
      el("ul", {}, ...items.map((i) => el("li", {}, el("a", { href: `#${i.id}` }, i.section.querySelector(".op-title").textContent))))));
  }
  $("#docs-schema-list").replaceChildren(...Object.entries(schemas).map(([name, schema]) =>
    el("section", { class: "card op", id: `schema-${name}` }, el("h3", {}, name),
      schema.description ? el("p", {}, schema.description) : null, fieldsTable(schema))));
  $("#docs-schemas").hidden = false;
  toc.append(el("li", {}, el("a", { href: "#schemas-title" }, "Schemas")));
  $("#docs-status").textContent = `${[...groups.values()].flat().length} endpoints.`;
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
}

main();
