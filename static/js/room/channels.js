// The two channels one writes to on the room page, each an instance of the one composer
// (room/composer.js) with its own elements and rules:
//   the room:  open to those who may write while the session is live, unless a moderator
//              muted them or they wait for the floor; a message written while the
//              connection is down waits and goes out once it is back; it may reply to one;
//   staff:     the facilitators' and moderators' back-channel, open while the session is
//              live; sending needs the connection.
// Sentences come from t(), already translated.

import { capitalised, parseDate } from "../common.js";
import { createComposer } from "./composer.js";
import { excerptOf } from "./render.js";

const $ = (id) => document.getElementById(id);

/**
 * The room's composer, or null when this page has none (one's role does not write).
 *
 * options: { root, t, sessionId, maxChars, canWrite, connection, store, notices,
 *            facilitation, sessionState(), formatTime(date), onSent(message) }
 */
export function createRoomComposer(options) {
  const { root, t, canWrite, connection, store, notices, facilitation, sessionState, formatTime } = options;
  const form = $("composer");
  if (!form) {
    return null;
  }

  function isOpen() {
    return canWrite && !connection.isStopped() && sessionState() === "live" && !notices.isMuted()
      && !facilitation.waitingForFloor();
  }

  /** Why the composer is closed; null keeps the note (sending, or waiting to send). */
  function note({ open, sending, pending, connected }) {
    const stopped = connection.isStopped();
    const live = canWrite && sessionState() === "live";
    if (!open && !stopped && live && notices.isMuted()) {
      return t("mutedUntil", { time: formatTime(notices.mutedTill()) });
    } else if (!open && !stopped && live && facilitation.waitingForFloor()) {
      return facilitation.waitingNote();
    } else if (!open && !stopped) {
      return t("composerClosed" + capitalised(sessionState())) || t("composerClosed");
    } else if (!open) {
      return "";
    } else if (!sending && !pending && connected) {
      return facilitation.openComposerNote();
    }
    return null;
  }

  function refusal(answer) {
    const error = (answer && answer.error) || {};
    if (error.code === "muted") {
      notices.setMuted(error.until);
      const until = parseDate(error.until);
      return { text: until ? t("mutedUntil", { time: formatTime(until) }) : error.message || t("muted") };
    } else if (error.code === "not_your_turn") {
      return { text: t("notYourTurn"), code: "not_your_turn" };
    } else if (error.code === "session_not_live") {
      return { text: t("sessionNotLive") };
    }
    return { text: error.message || t("sendFailed") };
  }

  return createComposer({
    channel: "room", mode: "queue", t, sessionId: options.sessionId, maxChars: options.maxChars, connection,
    elements: {
      form, input: $("message-input"), send: $("send-button"), note: $("composer-note"),
      error: $("composer-error"), counter: $("char-counter"),
      reply: {
        box: $("reply-target"), text: $("reply-target-text"), cancel: $("reply-cancel"),
        lookup: (id) => store.get(id)?.data,
        describe: (data) => t("replyingTo", { name: (data.author || {}).name || "", excerpt: excerptOf(data) }),
      },
    },
    isOpen,
    note,
    openNote: () => facilitation.openComposerNote(),
    refusal,
    onSent: options.onSent,
    onUpdate: ({ open, sending }) => {
      root.dataset.composer = open ? "open" : "closed";
      form.setAttribute("aria-busy", sending ? "true" : "false");
      root.dataset.floor = facilitation.waitingForFloor() ? "waiting" : (facilitation.holdsFloor() ? "mine" : "");
    },
  });
}

/**
 * The staff channel's composer, or null when this page has no staff channel.
 *
 * options: { t, sessionId, maxChars, connection, sessionState(), onSent(message) }
 */
export function createStaffComposer(options) {
  const { t, connection, sessionState } = options;
  const form = $("staff-composer");
  if (!form) {
    return null;
  }
  return createComposer({
    channel: "staff", mode: "refuse", t, sessionId: options.sessionId, maxChars: options.maxChars, connection,
    elements: {
      form, input: $("staff-input"), send: $("staff-send"), note: $("staff-note"), error: $("staff-error"),
    },
    // The server takes messages, staff ones included, only while the session is live.
    isOpen: () => !connection.isStopped() && sessionState() === "live",
    note: ({ open, sending }) => (open || connection.isStopped() ? (sending ? t("sending") : "") : t("staffClosed")),
    openNote: () => "",
    refusal: (answer) => {
      if (!answer) {
        return { text: t("sendFailed") + " " + t("noAnswer") };
      }
      const error = answer.error || {};
      return { text: error.code === "session_not_live" ? t("staffClosed") : error.message || t("sendFailed") };
    },
    onSent: options.onSent,
  });
}
