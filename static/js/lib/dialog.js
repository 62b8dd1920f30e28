// An accessible confirmation built on <dialog>: focus moves into it, Escape cancels, and focus
// returns to the button that opened it.

import { el } from "./dom.js";

export function confirmAction({ title, message, confirmLabel, danger = true }) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const titleId = `dialog-title-${Math.random().toString(36).slice(2)}`;
    const cancel = el("button", { type: "button", class: "btn", text: "Cancel" });
    const confirm = el("button", { type: "button", class: danger ? "btn btn-danger" : "btn btn-primary", text: confirmLabel });
    const dialog = el("dialog", { class: "dialog", "aria-labelledby": titleId },
      el("h2", { id: titleId, text: title }),
      el("p", { text: message }),
      el("div", { class: "dialog-actions" }, cancel, confirm));
    const finish = (answer) => {
      dialog.close();
      dialog.remove();
      if (opener && opener.focus) opener.focus();
      resolve(answer);
    };
    cancel.addEventListener("click", () => finish(false));
    confirm.addEventListener("click", () => finish(true));
    dialog.addEventListener("cancel", (event) => { event.preventDefault(); finish(false); });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
