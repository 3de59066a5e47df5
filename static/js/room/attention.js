// Keeping a reader's attention where it is needed: the count of unread messages in the tab's
// title and an "unread" divider before the first of them; and when someone mentions the
// reader, gives them the floor, or a moderator warns or mutes them, a notification (the
// browser's, asked for only after the reader turns notifications on) and a short chime
// (../alerts.js: Web Audio, no file; the reader can turn it off). Both choices stay in this
// browser.
// A message is unread when it arrives while the page is hidden or the reader is scrolled up;
// coming back to the end of the list reads them. Sentences come from t(), already translated.

import { createAlerts } from "../alerts.js";
import { el } from "../common.js";
import { excerptOf } from "./render.js";

/**
 * options: { t, myId, list (the room's <ol>), isNearBottom(), store, notifyButton, notifyState,
 *            soundToggle (a checkbox) }
 */
export function createAttention({ t, myId, list, isNearBottom, store, notifyButton, notifyState, soundToggle }) {
  const baseTitle = document.title;
  let unread = 0;
  let divider = null;
  const seen = new Set();
  const { alert } = createAlerts({ t, button: notifyButton, state: notifyState, soundToggle });

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

  /** The floor became mine. */
  function onFloorGiven() {
    alert(t("floorYours"), { tag: "dialogue-floor" });
  }

  /** A moderator's notice about me (warned, muted), with its sentence. */
  function onWarned(text) {
    alert(text, { tag: "dialogue-warning" });
  }

  /** Someone mentioned me: mark the message, and notify when the reader allowed it. */
  function onMention(payload) {
    const key = String(payload && payload.message_id);
    const element = document.getElementById("message-" + key);
    element?.classList.add("message-mentions-me");
    const known = store.get(key);
    const name = ((payload && payload.by) || {}).name || "";
    alert(t("mentionNotice", { name }), {
      body: known ? excerptOf(known.data) : "", tag: "dialogue-mention-" + key, element,
    });
  }

  document.addEventListener("visibilitychange", markRead);
  list.closest(".messages-scroller")?.addEventListener("scroll", markRead, { passive: true });

  return { onMessage, onMention, onFloorGiven, onWarned, onSent, markRead, get unread() { return unread; } };
}
