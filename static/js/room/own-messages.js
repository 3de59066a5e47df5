// One's own messages (docs/protocol.md, `edit` and `delete`): Edit within the edit window,
// which opens the text in place, and Delete, which asks first. Both answer with the changed
// message, which is taken like any other; readers receive `message_updated`.
// Sentences come from t(), already translated.

import { el } from "../common.js";

/**
 * options: { t, request(event, payload), editMinutes, take(message) }
 */
export function createOwnMessages({ t, request, editMinutes, take }) {
  /** Whether the edit window of a message is still open. */
  function editable(message) {
    const created = Date.parse(message.created_at);
    return !Number.isNaN(created) && Date.now() < created + editMinutes * 60_000
      && (message.status === "visible" || message.status === "held");
  }

  /** The Edit and Delete buttons of one's own message. */
  function buttons(message) {
    const made = [];
    if (message.status === "deleted" || message.status === "redacted") {
      return made;
    }
    if (editable(message)) {
      const edit = el("button", "button-link message-edit-button", t("edit"));
      edit.type = "button";
      made.push(edit);
    }
    const remove = el("button", "button-link message-delete-button", t("delete"));
    remove.type = "button";
    made.push(remove);
    return made;
  }

  function showError(holder, answer) {
    let error = holder.querySelector(":scope > .own-error");
    if (!error) {
      error = el("p", "own-error composer-error");
      error.setAttribute("role", "alert");
      holder.append(error);
    }
    error.textContent = (answer && answer.error && answer.error.message) || t("actionFailed");
  }

  function openEdit(holder) {
    if (holder.querySelector(":scope > .edit-form")) {
      holder.querySelector(".edit-form textarea").focus();
      return;
    }
    const body = holder.querySelector(":scope > .message-body");
    const form = el("form", "edit-form");
    form.noValidate = true;
    const label = el("label", "visually-hidden", t("editYourMessage"));
    const area = document.createElement("textarea");
    area.id = "edit-" + holder.dataset.messageId;
    label.htmlFor = area.id;
    area.rows = 3;
    area.value = body ? (body.innerText || body.textContent || "").trim() : "";
    const save = el("button", "button button-small button-primary", t("saveEdit"));
    save.type = "submit";
    const cancel = el("button", "button button-small", t("cancel"));
    cancel.type = "button";
    form.append(label, area, save, cancel);
    holder.append(form);
    area.focus();
    const close = () => {
      form.remove();
      holder.querySelector(".message-edit-button")?.focus();
    };
    cancel.addEventListener("click", close);
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        close();
      }
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      save.disabled = true;
      const answer = await request("edit", { message_id: Number(holder.dataset.messageId), body: area.value });
      save.disabled = false;
      if (answer && answer.ok) {
        form.remove();
        take(answer.message);
      } else {
        showError(form, answer);
      }
    });
  }

  function askDelete(holder) {
    if (holder.querySelector(":scope > .delete-confirm")) {
      return;
    }
    const box = el("div", "delete-confirm");
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-label", t("deleteQuestion"));
    const question = el("p", "delete-question", t("deleteQuestion"));
    const yes = el("button", "button button-small button-danger", t("deleteConfirm"));
    yes.type = "button";
    const no = el("button", "button button-small", t("cancel"));
    no.type = "button";
    box.append(question, yes, no);
    holder.append(box);
    no.focus();
    const close = () => {
      box.remove();
      holder.querySelector(".message-delete-button")?.focus();
    };
    no.addEventListener("click", close);
    box.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        close();
      }
    });
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      const answer = await request("delete", { message_id: Number(holder.dataset.messageId) });
      if (answer && answer.ok) {
        box.remove();
        take(answer.message);
      } else {
        yes.disabled = false;
        showError(box, answer);
      }
    });
  }

  /** Handle a click in the list; true when it was one of ours. */
  function onClick(event) {
    const edit = event.target.closest(".message-edit-button");
    if (edit) {
      openEdit(edit.closest(".message"));
      return true;
    }
    const remove = event.target.closest(".message-delete-button");
    if (remove) {
      askDelete(remove.closest(".message"));
      return true;
    }
    return false;
  }

  return { buttons, onClick };
}
