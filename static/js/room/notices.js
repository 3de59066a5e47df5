// What the room tells the reader besides the messages (docs/protocol.md, "Moderation"): the
// session's state line, the room notice (why the room stopped, or could not be opened), the
// moderators' notices addressed to me (held, approved, removed, warned, muted), the mute
// that closes my composer until a time, the note that messages are reviewed first, and for
// staff the count of open review-queue items next to the queue link. Sentences come from
// t(); a moderator's reason goes in with textContent.

import { capitalised, hideNotice, keyPart, parseDate, showNotice } from "../common.js";
import { focusMessage } from "./message-list.js";

const MAX_NOTICES = 4;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The room's notices.
 *
 * options: { root, t, formatTime(date), myRole, sessionId, store, request, rerender(key),
 *            onMuteChange(), onWarned(text) (a warning or a mute for me, to alert me) }
 *          and the elements { stateBanner, roomNotice, noticeList,
 *            moderationNote, queueCount } (moderationNote and queueCount may be missing).
 */
export function createNotices(options) {
  const { root, t, formatTime, myRole, sessionId, store, request, rerender, onMuteChange, onWarned } = options;
  const { stateBanner, roomNotice, noticeList, moderationNote, queueCount } = options;
  const ownNotices = new Map();      // String(message id) -> latest notice kind about my message
  const openQueueItems = new Set();  // staff: ids of open queue items of this session
  let mutedUntil = null;             // Date until which a moderator muted me, or null
  let muteTimer = null;

  // --- The session's state and the room notice -----------------------------------------

  /** Say what state the session is in. */
  function showState(state) {
    stateBanner.dataset.state = state;
    stateBanner.textContent = t("state" + capitalised(state)) || t("stateUnknown");
  }

  /** Show the room notice: one sentence and an optional link. */
  function showRoomNotice(text, link = null, linkText = "") {
    showNotice(roomNotice, text, link, linkText);
  }

  /** Hide the room notice. */
  function hideRoomNotice() {
    hideNotice(roomNotice);
  }

  // --- Notices addressed to me -----------------------------------------------------------

  /** A `notice` event: remember it for my message, follow a mute, and show it. */
  function onNotice(payload) {
    if (!payload || typeof payload.kind !== "string") {
      return;
    }
    const text = noticeText(payload);
    if (!text) {
      return;
    }
    const messageId = payload.message_id !== undefined && payload.message_id !== null
      ? String(payload.message_id) : null;
    if (messageId) {
      ownNotices.set(messageId, payload.kind);
      rerender(messageId);
    }
    if (payload.kind === "muted") {
      setMuted(payload.until);
    } else if (payload.kind === "unmuted") {
      setMuted(null);
    }
    addNotice(payload.kind, text, messageId);
    if (payload.kind === "warned" || payload.kind === "muted") {
      onWarned?.(text);
    }
  }

  /** The latest notice kind about one of my messages ("rejected", ...), if any. */
  function kindFor(key) {
    return ownNotices.get(key);
  }

  /** The sentence for one notice, in the reader's language, with the moderator's reason. */
  function noticeText(payload) {
    const reason = typeof payload.reason === "string" ? payload.reason.trim() : "";
    const withReason = (text) => (reason ? text + " " + t("noticeReason", { reason }) : text);
    switch (payload.kind) {
      case "held": {
        // For a hold the reason is a list of codes, not a moderator's words.
        const codes = reason.split(/[,\s]+/).filter(Boolean);
        if (codes.includes("flags")) {
          return t("noticeHeldFlags");
        }
        const why = codes.map((code) => t("heldWhy" + keyPart(code))).filter(Boolean);
        return why.length ? t("noticeHeld") + " " + t("noticeHeldWhy", { reasons: why.join("; ") }) : t("noticeHeld");
      }
      case "warned":
        return reason ? t("noticeWarnedReason", { reason }) : t("noticeWarned");
      case "muted": {
        const until = parseDate(payload.until);
        const time = until ? formatTime(until) : "";
        return reason ? t("noticeMutedReason", { time, reason }) : t("noticeMuted", { time });
      }
      case "approved":
      case "rejected":
      case "redacted":
      case "unmuted":
        return withReason(t("notice" + capitalised(payload.kind)));
      default:
        return "";
    }
  }

  /** Show a notice at the top of the notice area; the last few stay until dismissed. */
  function addNotice(kind, text, messageId) {
    const notice = document.createElement("div");
    notice.className = "room-notice-item";
    notice.dataset.kind = kind;
    if (messageId) {
      notice.dataset.messageId = messageId;
    }
    const paragraph = document.createElement("p");
    paragraph.className = "room-notice-text";
    paragraph.textContent = text;
    if (messageId && store.has(messageId)) {
      paragraph.append(" ");
      const link = document.createElement("a");
      link.href = "#message-" + encodeURIComponent(messageId);
      link.className = "room-notice-link";
      link.dataset.target = messageId;
      link.textContent = t("noticeShowMessage");
      paragraph.append(link);
    }
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "button-link room-notice-dismiss";
    dismiss.textContent = t("noticeDismiss");
    dismiss.setAttribute("aria-label", t("noticeDismissLabel"));
    notice.append(paragraph, dismiss);
    noticeList.prepend(notice);
    while (noticeList.children.length > MAX_NOTICES) {
      noticeList.lastElementChild.remove();
    }
  }

  noticeList.addEventListener("click", (event) => {
    const dismiss = event.target.closest(".room-notice-dismiss");
    if (dismiss) {
      dismiss.closest(".room-notice-item").remove();
      return;
    }
    const link = event.target.closest(".room-notice-link");
    if (link && focusMessage(link.dataset.target)) {
      event.preventDefault();
    }
  });

  // --- My mute ---------------------------------------------------------------------------

  /** A moderator muted me until `until` (or lifted it, with null): the composer waits. */
  function setMuted(until) {
    const date = parseDate(until);
    window.clearTimeout(muteTimer);
    muteTimer = null;
    if (date && date.getTime() > Date.now()) {
      mutedUntil = date;
      const wait = Math.min(date.getTime() - Date.now() + 250, MAX_TIMER_MS);
      muteTimer = window.setTimeout(() => setMuted(mutedUntil && mutedUntil.getTime() > Date.now()
        ? mutedUntil.toISOString() : null), wait);
    } else {
      mutedUntil = null;
    }
    root.dataset.muted = mutedUntil ? "true" : "false";
    onMuteChange();
  }

  /** Whether I am muted now. */
  function isMuted() {
    return mutedUntil !== null && mutedUntil.getTime() > Date.now();
  }

  /** Until when I am muted (a Date), or null. */
  function mutedTill() {
    return mutedUntil;
  }

  // --- Moderation mode and the review queue ------------------------------------------------

  /** Follow the session's moderation mode ("pre": participants' messages are reviewed first). */
  function showModerationMode(mode) {
    if (typeof mode !== "string" || !mode) {
      return;
    }
    root.dataset.moderation = mode;
    if (moderationNote) {
      moderationNote.hidden = !(mode === "pre" && myRole === "participant");
    }
  }

  /** Staff: how many items of this session wait in the review queue, next to its link. */
  async function loadQueueCount() {
    try {
      const answer = await request("queue", { session_id: sessionId });
      if (answer && answer.ok && Array.isArray(answer.items)) {
        openQueueItems.clear();
        for (const item of answer.items) {
          openQueueItems.add(String(item.id));
        }
        renderQueueCount();
      }
    } catch (error) {
      // The count is a convenience; the queue page itself has the truth.
    }
  }

  /** A `queue_item` event: count it while it is open. */
  function onQueueItem(item) {
    if (!item || item.session_id !== sessionId || !queueCount) {
      return;
    }
    if (item.status === "pending" || item.status === "escalated") {
      openQueueItems.add(String(item.id));
    } else {
      openQueueItems.delete(String(item.id));
    }
    renderQueueCount();
  }

  function renderQueueCount() {
    if (!queueCount) {
      return;
    }
    queueCount.textContent = openQueueItems.size ? "(" + t("queueWaiting", { count: openQueueItems.size }) + ")" : "";
    queueCount.hidden = openQueueItems.size === 0;
  }

  return {
    showState, showRoomNotice, hideRoomNotice, onNotice, kindFor, setMuted, isMuted, mutedTill,
    showModerationMode, loadQueueCount, onQueueItem,
  };
}
