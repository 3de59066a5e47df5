// Flagging a message for the moderators (docs/protocol.md, "Moderation"): the one open flag
// form (reason and note), sending it with `flag`, and the thanks shown once it is sent. The
// form lives inside the message's element; when the message is drawn again
// (room/render.js) the same form is put back, so what was typed and the focus survive.

import { keyPart } from "../common.js";

const REASONS = ["incitement", "hate", "personal_attack", "identifying_info", "off_topic", "spam", "other"];

/**
 * The flags of this page.
 *
 * options: { t, request(event, payload) -> Promise, store, rerender(key) }
 */
export function createFlags({ t, request, store, rerender }) {
  const flagged = new Map(); // String(message id) -> thank-you text, once I flagged it
  let flagForm = null;       // the one open flag form: { messageId, form }
  let flagFormCount = 0;

  /** Whether I flagged this message. */
  function isFlagged(key) {
    return flagged.has(key);
  }

  /** The thank-you text for a message I flagged. */
  function thanks(key) {
    return flagged.get(key);
  }

  /** The open flag form of this message, or null. */
  function formFor(key) {
    return flagForm && flagForm.messageId === key ? flagForm.form : null;
  }

  /** Drop the open form of a message that can no longer be flagged. */
  function forget(key) {
    if (flagForm && flagForm.messageId === key) {
      flagForm = null;
    }
  }

  /** The Flag button: open the form, or close it when it is open. */
  function toggle(key) {
    if (flagForm && flagForm.messageId === key) {
      close(true);
    } else {
      open(key);
    }
  }

  function open(key) {
    const target = store.get(key);
    if (!target) {
      return;
    }
    if (flagForm && flagForm.messageId === key) {
      flagForm.form.querySelector("select").focus();
      return;
    }
    close(false);
    flagFormCount += 1;
    const form = buildForm(key, "flag-" + flagFormCount);
    flagForm = { messageId: key, form };
    rerender(key);
    form.elements.reason.focus();
  }

  function buildForm(key, prefix) {
    const form = document.createElement("form");
    form.className = "flag-form";
    form.noValidate = true;
    form.dataset.messageId = key;
    form.setAttribute("aria-labelledby", prefix + "-title");

    const title = document.createElement("p");
    title.className = "flag-form-title";
    title.id = prefix + "-title";
    title.textContent = t("flagTitle");

    const reasonField = document.createElement("div");
    reasonField.className = "flag-field";
    const reasonLabel = document.createElement("label");
    reasonLabel.htmlFor = prefix + "-reason";
    reasonLabel.textContent = t("flagReasonLabel");
    const select = document.createElement("select");
    select.name = "reason";
    select.id = prefix + "-reason";
    select.required = true;
    const placeholder = new Option(t("flagChoose"), "");
    select.append(placeholder);
    for (const reason of REASONS) {
      select.append(new Option(t("flagReason" + keyPart(reason)) || reason, reason));
    }
    reasonField.append(reasonLabel, select);

    const noteField = document.createElement("div");
    noteField.className = "flag-field";
    const noteLabel = document.createElement("label");
    noteLabel.htmlFor = prefix + "-note";
    noteLabel.textContent = t("flagNoteLabel");
    const noteHint = document.createElement("span");
    noteHint.className = "field-hint flag-note-hint";
    noteHint.id = prefix + "-note-hint";
    noteHint.textContent = t("flagNoteHint");
    const note = document.createElement("input");
    note.type = "text";
    note.name = "note";
    note.id = prefix + "-note";
    note.maxLength = 1000;
    note.autocomplete = "off";
    note.setAttribute("aria-describedby", noteHint.id);
    noteField.append(noteLabel, note, noteHint);

    const buttons = document.createElement("div");
    buttons.className = "flag-form-actions";
    const submit = document.createElement("button");
    submit.type = "submit";
    submit.className = "button button-small button-primary";
    submit.textContent = t("flagSend");
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button button-small flag-cancel";
    cancel.textContent = t("flagCancel");
    buttons.append(submit, cancel);

    const error = document.createElement("p");
    error.className = "flag-error";
    error.setAttribute("role", "alert");
    error.hidden = true;

    form.append(title, reasonField, noteField, buttons, error);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send(key, form);
    });
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        close(true);
      }
    });
    select.addEventListener("change", () => {
      note.required = select.value === "other";
    });
    cancel.addEventListener("click", () => close(true));
    return form;
  }

  function close(returnFocus) {
    if (!flagForm) {
      return;
    }
    const key = flagForm.messageId;
    flagForm.form.remove();
    flagForm = null;
    rerender(key);
    if (returnFocus) {
      const known = store.get(key);
      const button = known && known.element.querySelector(".message-flag-button");
      if (button) {
        button.focus();
      }
    }
  }

  async function send(key, form) {
    const select = form.elements.reason;
    const note = form.elements.note;
    const submit = form.querySelector("button[type=submit]");
    const error = form.querySelector(".flag-error");
    const showError = (text, control = null) => {
      error.textContent = text;
      error.hidden = false;
      if (control) {
        control.setAttribute("aria-invalid", "true");
        control.focus();
      }
    };
    error.hidden = true;
    select.removeAttribute("aria-invalid");
    note.removeAttribute("aria-invalid");
    if (!select.value) {
      showError(t("flagNeedReason"), select);
      return;
    }
    if (select.value === "other" && !note.value.trim()) {
      showError(t("flagNeedNote"), note);
      return;
    }
    if (submit.disabled) {
      return;
    }
    submit.disabled = true;
    form.setAttribute("aria-busy", "true");
    const payload = { message_id: Number(key), reason: select.value };
    if (note.value.trim()) {
      payload.note = note.value.trim();
    }
    let answer = null;
    try {
      answer = await request("flag", payload);
    } catch (failure) {
      answer = null;
    }
    submit.disabled = false;
    form.setAttribute("aria-busy", "false");
    if (answer && answer.ok) {
      flagged.set(key, t("flagThanks"));
      const hadFocus = form.contains(document.activeElement);
      if (flagForm && flagForm.form === form) {
        flagForm = null;
      }
      form.remove();
      rerender(key);
      const known = store.get(key);
      if (hadFocus && known) {
        known.element.focus({ preventScroll: true });
      }
      return;
    }
    const message = answer && answer.error && answer.error.message;
    showError(message || t("flagFailed"));
  }

  return { isFlagged, thanks, formFor, forget, toggle };
}
