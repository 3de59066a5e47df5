// Keeping a reader's attention where it is needed: the count of unread messages in the tab's
// title and an "unread" divider before the first of them, and a notification (the browser's,
// asked for only after the reader turns notifications on) when someone mentions them.
// A message is unread when it arrives while the page is hidden or the reader is scrolled up;
// coming back to the end of the list reads them. Sentences come from t(), already translated.

import { el } from "../common.js";
import { excerptOf } from "./render.js";

/**
 * options: { t, myId, list (the room's <ol>), isNearBottom(), store, notifyButton, notifyState }
 */
export function createAttention({ t, myId, list, isNearBottom, store, notifyButton, notifyState }) {
  const baseTitle = document.title;
  let unread = 0;
  let divider = null;
  const seen = new Set();

  function away() {
    return document.visibilityState !== "visible" || !isNearBottom();
  }

  function showTitle() {
    document.title = unread > 0 ? "(" + unread + ") " + baseTitle : baseTitle;
  }

  /** A message of the room arrived live. */
  function onMessage(message) {
    const key = String(message.id);
    const author = message.author || {};
    if (seen.has(key) || message.channel === "staff" || message.status !== "visible"
        || (message.translation_of !== null && message.translation_of !== undefined)) {
      return;
    }
    seen.add(key);
    if (String(author.id) === myId || !away()) {
      return;
    }
    unread += 1;
    showTitle();
    if (!divider || !divider.isConnected) {
      const element = document.getElementById("message-" + key);
      if (element && element.parentElement === list) {
        divider = el("li", "unread-divider", t("unreadBelow"));
        divider.setAttribute("role", "separator");
        element.before(divider);
      }
    }
  }

  /** The reader is back at the end of the list, on a visible page: everything is read. */
  function markRead() {
    if (unread === 0 || away()) {
      return;
    }
    unread = 0;
    showTitle();
  }

  /** Writing a message moves the divider away: what came before has been read. */
  function onSent() {
    divider?.remove();
    divider = null;
  }

  function notificationsOn() {
    return typeof Notification === "function" && Notification.permission === "granted"
      && localStorage.getItem("dialogue-notifications") !== "off";
  }

  function refreshButton() {
    if (!notifyButton) {
      return;
    }
    const supported = typeof Notification === "function";
    notifyButton.hidden = !supported;
    notifyButton.setAttribute("aria-pressed", notificationsOn() ? "true" : "false");
    notifyButton.textContent = notificationsOn() ? t("notificationsOff") : t("notificationsOn");
    if (notifyState) {
      notifyState.textContent = supported && Notification.permission === "denied" ? t("notificationsBlocked") : "";
    }
  }

  /** Someone mentioned me: mark the message, and notify when the reader allowed it. */
  function onMention(payload) {
    const key = String(payload && payload.message_id);
    const element = document.getElementById("message-" + key);
    element?.classList.add("message-mentions-me");
    const known = store.get(key);
    const name = ((payload && payload.by) || {}).name || "";
    if (notificationsOn()) {
      const notice = new Notification(t("mentionNotice", { name }), {
        body: known ? excerptOf(known.data) : "", tag: "dialogue-mention-" + key,
      });
      notice.onclick = () => {
        window.focus();
        element?.scrollIntoView({ block: "center" });
      };
    }
  }

  document.addEventListener("visibilitychange", markRead);
  list.closest(".messages-scroller")?.addEventListener("scroll", markRead, { passive: true });
  notifyButton?.addEventListener("click", async () => {
    if (notificationsOn()) {
      localStorage.setItem("dialogue-notifications", "off");
    } else {
      localStorage.removeItem("dialogue-notifications");
      if (Notification.permission === "default") {
        await Notification.requestPermission(); // asked only now, after the reader's click
      }
    }
    refreshButton();
  });
  refreshButton();

  return { onMessage, onMention, onSent, markRead, get unread() { return unread; } };
}
