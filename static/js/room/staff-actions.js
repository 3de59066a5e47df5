// Staff acting on a message from the room (docs/protocol.md, `moderate` and `sanction`):
// a Moderate button on each message opens a small panel to hide or redact it (through the
// review queue, so it is audited and follows the two-key rule), to warn or mute its author
// for a chosen time, or to open the review queue. Redacting asks once more: it cannot be
// undone. Escape closes the panel and returns the keyboard to the button.
// Sentences come from t(), already translated.

import { MUTE_CHOICES, el } from "../common.js";

/**
 * options: { t, request(event, payload), sessionId, myId, queueUrl, take(message) }
 */
export function createStaffActions({ t, request, sessionId, myId, queueUrl, take }) {
  /** The Moderate button of a message of the room, for staff (not on one's own). */
  function buttons(message) {
    const author = message.author || {};
    if (message.channel === "staff" || String(author.id) === myId
        || ["redacted", "deleted"].includes(message.status)) {
      return [];
    }
    const button = el("button", "button-link message-moderate-button", t("moderate"));
    button.type = "button";
    button.setAttribute("aria-expanded", "false");
    return [button];
  }

  function close(panel) {
    const holder = panel.closest(".message");
    panel.remove();
    const button = holder && holder.querySelector(".message-moderate-button");
    if (button) {
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  }

  function open(holder, button) {
    const existing = holder.querySelector(":scope > .staff-menu");
    if (existing) {
      close(existing);
      return;
    }
    const messageId = Number(holder.dataset.messageId);
    const authorId = holder.dataset.authorId;
    const panel = el("div", "staff-menu");
    panel.setAttribute("role", "group");
    panel.setAttribute("aria-label", t("moderate"));
    const reasonId = "staff-reason-" + messageId;
    const reasonLabel = el("label", "staff-menu-label", t("staffReason"));
    reasonLabel.htmlFor = reasonId;
    const reason = document.createElement("input");
    reason.type = "text";
    reason.id = reasonId;
    reason.maxLength = 500;
    const hide = el("button", "button button-small", t("hideMessage"));
    hide.type = "button";
    const redact = el("button", "button button-small button-danger", t("redactMessage"));
    redact.type = "button";
    const warn = el("button", "button button-small", t("warnAuthor"));
    warn.type = "button";
    const muteLabel = el("label", "staff-menu-label", t("muteFor"));
    const minutes = document.createElement("select");
    minutes.id = "staff-mute-" + messageId;
    muteLabel.htmlFor = minutes.id;
    for (const value of MUTE_CHOICES) {
      const option = document.createElement("option");
      option.value = String(value);
      option.textContent = value > 60 ? t("muteLongest") : t("muteMinutes", { minutes: value });
      minutes.append(option);
    }
    minutes.value = "10";
    const mute = el("button", "button button-small", t("muteAuthor"));
    mute.type = "button";
    const queue = el("a", "button-link", t("openInQueue"));
    queue.href = queueUrl;
    const status = el("p", "staff-menu-status");
    status.setAttribute("role", "status");
    panel.append(reasonLabel, reason, hide, redact, warn, muteLabel, minutes, mute, queue, status);
    holder.append(panel);
    button.setAttribute("aria-expanded", "true");
    reason.focus();

    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        close(panel);
      }
    });

    const needReason = () => {
      if (!reason.value.trim()) {
        status.textContent = t("staffReasonNeeded");
        reason.focus();
        return false;
      }
      return true;
    };
    const report = (answer, done) => {
      if (answer && answer.ok) {
        status.textContent = done;
        if (answer.item && answer.item.message) {
          take(answer.item.message);
        }
      } else {
        status.textContent = (answer && answer.error && answer.error.message) || t("actionFailed");
      }
    };
    hide.addEventListener("click", async () => {
      if (needReason()) {
        report(await request("moderate", { message_id: messageId, action: "hide", reason: reason.value.trim() }),
          t("hiddenDone"));
      }
    });
    let redactArmed = false;
    redact.addEventListener("click", async () => {
      if (!needReason()) {
        return;
      }
      if (!redactArmed) {
        redactArmed = true;
        redact.textContent = t("redactConfirm");
        status.textContent = t("redactWarning");
        return;
      }
      report(await request("moderate", { message_id: messageId, action: "redact", reason: reason.value.trim() }),
        t("redactedDone"));
    });
    warn.addEventListener("click", async () => {
      if (needReason()) {
        report(await request("sanction", { session_id: sessionId, member_id: authorId, action: "warn",
          reason: reason.value.trim() }), t("warnedDone"));
      }
    });
    mute.addEventListener("click", async () => {
      if (needReason()) {
        report(await request("sanction", { session_id: sessionId, member_id: authorId, action: "mute",
          minutes: Number(minutes.value), reason: reason.value.trim() }), t("mutedDone"));
      }
    });
  }

  /** Handle a click in the list; true when it was ours. */
  function onClick(event) {
    const button = event.target.closest(".message-moderate-button");
    if (!button) {
      return false;
    }
    open(button.closest(".message"), button);
    return true;
  }

  return { buttons, onClick };
}
