// The therapist's safety-plan editor in the console: the plan's sections as the program's template
// shapes them, the planned address, every earlier version, consent to share per support person, and
// the local resources nearest the client. Every save is a new version; nothing is edited in place.

import { confirmAction } from "../lib/dialog.js";
import { el, announce } from "../lib/dom.js";
import { crisisStory, followUpItems } from "../crisis/follow_up_list.js";
import { crisisRequests } from "../crisis/requests.js";
import { ClientBetweenSessions } from "../console/client_between.js";
import { planRequests } from "./requests.js";

const ADDRESS = [
  ["house_number", "Number"], ["street", "Street"], ["street_suffix", "Street type"], ["unit", "Unit"],
  ["city", "City"], ["region", "State"], ["postal_code", "ZIP code"], ["country", "Country code"],
];
const SCOPES = {
  invite_to_video: "Invite to a video call", phone: "Phone them", receive_location: "Tell them where I am",
  share_location_and_situation: "Share location and situation",
};

function when(iso) {
  return new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

function field(id, label, input) {
  input.id = id;
  return el("div", { class: "field" }, el("label", { for: id }, label), input);
}

export class PlanEditor {
  // call(method, path, body) is the console's authenticated API call.
  constructor(root, call) {
    this.root = root;
    this.plans = planRequests(call);
    this.crises = crisisRequests(call); // follow-up after crises
    this.between = new ClientBetweenSessions(call); // own therapist, contact, standing link
    this.clientId = null;
  }

  async open(clientId, name) {
    this.clientId = clientId;
    this.name = name;
    this.root.hidden = false;
    this.root.replaceChildren(el("p", { class: "muted" }, "Loading the safety plan…"));
    try {
      this.template = (await this.plans.template()).template;
      this.plan = await this.plans.safetyPlan(clientId).catch((error) => {
        if (error.code === "plan_not_found") return null;
        throw error;
      });
      this.consents = (await this.plans.consents(clientId)).grants;
      this.followUps = (await this.crises.followUps(clientId)).plans;
    } catch (error) {
      if (this.clientId === clientId) this.root.replaceChildren(el("p", { class: "form-error", role: "alert" }, error.message));
      return;
    }
    if (this.clientId !== clientId) return; // closed (another session opened) or another client's since
    this.render();
  }

  close() {
    this.clientId = null;
    this.root.hidden = true;
    this.root.replaceChildren();
  }

  section(key) {
    return this.plan ? this.plan.version.sections.find((s) => s.key === key) : null;
  }

  render() {
    const heading = el("h3", { id: "plan-title", tabindex: "-1" }, `Safety plan: ${this.name}`);
    const status = el("p", { class: "muted" }, this.plan
      ? `Version ${this.plan.version.number}, saved ${when(this.plan.version.created_at)}`
      : "No plan yet. Write the first version with the client.");
    this.error = el("p", { class: "form-error", role: "alert" });
    const form = el("form", { class: "plan-editor", novalidate: true },
      ...this.template.sections.map((s) => this.sectionInput(s)),
      this.addressInput(),
      field("plan-note", "What changed (optional)", el("input", { maxlength: 500 })),
      this.error,
      el("div", { class: "detail-actions" },
        el("button", { type: "submit", class: "btn btn-primary" }, "Save as a new version"),
        el("button", { type: "button", class: "btn", onclick: () => this.close() }, "Close")));
    form.addEventListener("submit", (event) => { event.preventDefault(); this.save(form); });
    // (replaceChildren writes a null as the text "null": leave absent blocks out)
    this.root.replaceChildren(...[heading, status, form, this.followUpBlock(), this.between.block(this.clientId),
      this.historyBlock(), this.consentBlock(), this.resourceBlock()].filter(Boolean));
    heading.focus();
  }

  sectionInput(s) {
    const current = this.section(s.key);
    const id = `plan-${s.key}`;
    const hint = el("p", { class: "hint" }, s.help_text || "");
    if (s.kind === "contacts") {
      const rows = el("div", { class: "contact-rows", dataset: { key: s.key } });
      (current ? current.contacts : []).forEach((c) => rows.append(this.contactRow(s.key, c)));
      if (!rows.children.length) rows.append(this.contactRow(s.key, {}));
      return el("fieldset", { dataset: { section: s.key, kind: s.kind } }, el("legend", {}, s.title), hint, rows,
        el("button", { type: "button", class: "btn btn-small", onclick: () => rows.append(this.contactRow(s.key, {})) },
          "Add a person"));
    }
    const text = current ? (s.kind === "items" ? current.items.join("\n") : current.text) : "";
    const area = el("textarea", { id, dataset: { section: s.key, kind: s.kind }, "aria-describedby": `${id}-hint` });
    area.value = text;
    hint.id = `${id}-hint`;
    if (s.kind === "items") hint.textContent = `${s.help_text} One per line.`;
    return el("div", { class: "field" }, el("label", { for: id }, s.title + (s.required ? " (required)" : "")), hint, area);
  }

  contactRow(key, contact) {
    const input = (name, label) => el("input", { "aria-label": label, placeholder: label, dataset: { name },
      value: contact[name] || "" });
    return el("div", { class: "contact-row", dataset: { contactId: contact.contact_id || "" } },
      input("name", "Name"), input("relationship", "Relationship"), input("phone", "Phone"), input("email", "Email"));
  }

  addressInput() {
    const planned = this.plan && this.plan.version.planned_location;
    const address = planned ? planned.address : { country: "US" };
    const coords = (planned && planned.coordinates) || {};
    const inputs = ADDRESS.map(([name, label]) => field(`plan-addr-${name}`, label,
      el("input", { value: address[name] || "", dataset: { address: name } })));
    return el("fieldset", {}, el("legend", {}, "Planned address (where the client usually is)"),
      el("div", { class: "address-fields" }, ...inputs,
        field("plan-lat", "Latitude (optional)", el("input", { inputmode: "decimal", value: coords.latitude ?? "" })),
        field("plan-lon", "Longitude (optional)", el("input", { inputmode: "decimal", value: coords.longitude ?? "" }))));
  }

  draft(form) {
    const sections = {};
    for (const area of form.querySelectorAll("textarea[data-section]")) {
      sections[area.dataset.section] = area.dataset.kind === "items"
        ? area.value.split("\n").map((line) => line.trim()).filter(Boolean) : area.value.trim();
    }
    for (const rows of form.querySelectorAll(".contact-rows")) {
      sections[rows.dataset.key] = [...rows.children].map((row) => {
        const contact = {};
        if (row.dataset.contactId) contact.contact_id = row.dataset.contactId;
        for (const input of row.querySelectorAll("input")) if (input.value.trim()) contact[input.dataset.name] = input.value.trim();
        return contact;
      }).filter((c) => c.name || c.phone || c.email);
    }
    const address = {};
    for (const input of form.querySelectorAll("input[data-address]")) if (input.value.trim()) address[input.dataset.address] = input.value.trim();
    const lat = parseFloat(form.querySelector("#plan-lat").value);
    const lon = parseFloat(form.querySelector("#plan-lon").value);
    const body = {
      sections, change_note: form.querySelector("#plan-note").value.trim(),
      base_version: this.plan ? this.plan.version.number : 0,
    };
    if (address.street || address.city) {
      body.planned_location = { address: { country: "US", ...address } };
      if (Number.isFinite(lat) && Number.isFinite(lon)) body.planned_location.coordinates = { latitude: lat, longitude: lon };
    }
    return body;
  }

  async save(form) {
    this.error.textContent = "";
    try {
      this.plan = await this.plans.savePlan(this.clientId, this.draft(form));
      announce(`Safety plan saved as version ${this.plan.version.number}.`);
      this.render();
    } catch (error) {
      const details = (error.details || []).map((d) => d.message).join(" ");
      this.error.textContent = details || error.message;
    }
  }

  historyBlock() {
    const versions = this.plan ? [...this.plan.history].reverse() : [];
    const shown = el("div", { class: "plan-version-view" });
    return el("section", { class: "plan-history", "aria-labelledby": "plan-history-title" },
      el("h4", { id: "plan-history-title" }, "Versions"),
      versions.length ? el("ul", {}, versions.map((v) => el("li", {},
        `Version ${v.number}, ${when(v.created_at)}${v.change_note ? ` — ${v.change_note}` : ""} `,
        el("button", { type: "button", class: "btn btn-small btn-quiet", "aria-label": `Show version ${v.number}`,
          onclick: () => this.showVersion(v.number, shown) }, "Show")))) : el("p", { class: "muted" }, "None yet."),
      shown);
  }

  async showVersion(number, target) {
    const version = await this.plans.planVersion(this.clientId, number);
    target.replaceChildren(el("h5", {}, `Version ${number}`), ...version.sections.map((s) => el("div", {},
      el("strong", {}, s.title), el("ul", {}, [...s.items, ...s.contacts.map((c) => `${c.name} ${c.phone || ""}`),
        ...(s.text ? [s.text] : [])].map((t) => el("li", {}, t))))));
  }

  people() {
    const support = this.section("people_to_ask") || { contacts: [] };
    const all = this.plan ? this.plan.version.sections.flatMap((s) => s.contacts) : [];
    return (support.contacts.length ? support.contacts : all);
  }

  consentBlock() {
    const party = el("select", { id: "consent-party" },
      ...this.people().map((c) => el("option", { value: c.contact_id }, c.name)),
      el("option", { value: "emergency_services" }, "Emergency services"));
    const scope = el("select", { id: "consent-scope" },
      ...Object.entries(SCOPES).map(([value, label]) => el("option", { value }, label)));
    const expires = el("input", { id: "consent-expires", type: "date" });
    const error = el("p", { class: "form-error", role: "alert" });
    const record = async () => {
      error.textContent = "";
      const emergency = party.value === "emergency_services";
      const body = { party: emergency ? "emergency_services" : "support_person", scope: scope.value };
      if (!emergency) body.contact_id = party.value;
      if (expires.value) body.expires_at = new Date(`${expires.value}T23:59:59`).toISOString();
      try {
        await this.plans.recordConsent(this.clientId, body);
        await this.open(this.clientId, this.name);
        announce("Consent recorded.");
      } catch (e) { error.textContent = e.message; }
    };
    const rows = this.consents.map((g) => el("li", { class: g.active ? "" : "muted" },
      `${g.contact_name || (g.party === "emergency_services" ? "Emergency services" : "A former contact")}: `,
      `${SCOPES[g.scope] || g.scope} — from ${when(g.starts_at)}`, g.expires_at ? ` until ${when(g.expires_at)}` : "",
      g.revoked_at ? ` (revoked ${when(g.revoked_at)})` : "",
      g.active ? el("button", { type: "button", class: "btn btn-small btn-danger-quiet", onclick: () => this.revoke(g) },
        "Revoke") : null));
    return el("section", { class: "plan-consents", "aria-labelledby": "consent-title" },
      el("h4", { id: "consent-title" }, "Consent to share"),
      rows.length ? el("ul", {}, rows) : el("p", { class: "muted" }, "No consent recorded."),
      this.plan ? el("div", { class: "inline-form" }, field("consent-party", "With", party),
        field("consent-scope", "May we", scope), field("consent-expires", "Until (optional)", expires),
        el("button", { type: "button", class: "btn", onclick: record }, "Record consent")) : null, error);
  }

  async revoke(grant) {
    const ok = await confirmAction({ title: "Revoke this consent?", confirmLabel: "Revoke",
      message: "From now on this may no longer be shared. The record is kept." });
    if (!ok) return;
    await this.plans.revokeConsent(this.clientId, grant.grant_id);
    await this.open(this.clientId, this.name);
  }

  // Follow-up after crises: what the care team agreed to do in the days after each one.
  followUpBlock() {
    const open = this.followUps.filter((plan) => plan.items.some((item) => !item.done_at));
    if (!open.length) return null;
    return el("section", { class: "plan-follow-ups", "aria-labelledby": "plan-follow-ups-title" },
      el("h4", { id: "plan-follow-ups-title" }, "Follow-up after a crisis"),
      ...open.flatMap((plan) => [followUpItems(plan, (item) => this.markDone(item)), crisisStory(plan)]));
  }

  async markDone(item) {
    try {
      await this.crises.markFollowUpDone(this.clientId, item.id);
      this.followUps = (await this.crises.followUps(this.clientId)).plans;
      this.render();
    } catch (error) {
      this.error.textContent = error.message;
    }
  }

  resourceBlock() {
    const resources = this.plan ? this.plan.nearest_resources : [];
    const origin = this.plan && this.plan.nearest_from === "confirmed_location"
      ? "Nearest to where the client last confirmed they were" : "Nearest to the planned address";
    return el("section", { class: "plan-resources", "aria-labelledby": "resources-title" },
      el("h4", { id: "resources-title" }, "Local crisis resources"),
      resources.length ? el("p", { class: "muted" }, origin) : null,
      resources.length ? el("ol", {}, resources.map((r) => el("li", { dataset: { resourceId: r.resource_id } },
        `${r.name} (${r.kind.replace(/_/g, " ")}) `, el("a", { href: r.tel }, r.phone),
        r.distance_m != null ? ` — ${(r.distance_m / 1000).toFixed(1)} km` : "", r.hours ? `, ${r.hours}` : "")))
        : el("p", { class: "muted" }, "No resources to show (none imported, or no location known)."));
  }
}
