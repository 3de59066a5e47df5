// Keeping a reader's attention where it is needed: the count of unread messages in the tab's
// title and an "unread" divider before the first of them; and when someone mentions the
// reader, gives them the floor, or a moderator warns or mutes them, a notification (the
// browser's, asked for only after the reader turns notifications on) and a short chime
// (Web Audio, no file; the reader can turn it off). Both choices stay in this browser.
// A message is unread when it arrives while the page is hidden or the reader is scrolled up;
// coming back to the end of the list reads them. Sentences come from t(), already translated.

import { el } from "../common.js";
import { excerptOf } from "./render.js";

const SOUND_KEY = "dialogue-sound";
const NOTIFY_KEY = "dialogue-notifications";

/**
 * options: { t, myId, list (the room's <ol>), isNearBottom(), store, notifyButton, notifyState,
 *            soundToggle (a checkbox) }
 */
export function createAttention({ t, myId, list, isNearBottom, store, notifyButton, notifyState, soundToggle }) {
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
      && localStorage.getItem(NOTIFY_KEY) !== "off";
  }

  // --- The chime ---------------------------------------------------------------------------

  let audio = null;

  function soundOn() {
    return localStorage.getItem(SOUND_KEY) !== "off";
  }

  /** The audio context, made (or resumed) inside a click or key press: browsers let a page
   *  play sound only after the reader did something on it. */
  function unlockAudio() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context || !soundOn()) {
      return;
    }
    try {
      audio = audio || new Context();
      if (audio.state === "suspended") {
        audio.resume().catch(() => {});
      }
    } catch (failure) {
      audio = null;
    }
  }

  /** Two soft notes, under half a second. */
  function chime() {
    if (!soundOn() || !audio) {
      return;
    }
    try {
      const start = audio.currentTime;
      for (const [offset, frequency] of [[0, 660], [0.16, 880]]) {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.type = "sine";
        tone.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, start + offset);
        gain.gain.exponentialRampToValueAtTime(0.12, start + offset + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.3);
        tone.connect(gain).connect(audio.destination);
        tone.start(start + offset);
        tone.stop(start + offset + 0.32);
      }
    } catch (failure) {
      // No sound is no loss: the notice on the page says the same.
    }
  }

  /** Tell the reader something is for them: the chime, and a notification if allowed.
   *  `tag` lets a later notification of the same thing replace the earlier one. */
  function alert(title, { body = "", tag = "", element = null } = {}) {
    chime();
    if (!notificationsOn()) {
      return;
    }
    const notice = new Notification(title, { body, tag: tag || undefined });
    notice.onclick = () => {
      window.focus();
      element?.scrollIntoView({ block: "center" });
    };
  }

  /** The floor became mine. */
  function onFloorGiven() {
    alert(t("floorYours"), { tag: "dialogue-floor" });
  }

  /** A moderator's notice about me (warned, muted), with its sentence. */
  function onWarned(text) {
    alert(text, { tag: "dialogue-warning" });
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
    alert(t("mentionNotice", { name }), {
      body: known ? excerptOf(known.data) : "", tag: "dialogue-mention-" + key, element,
    });
  }

  document.addEventListener("visibilitychange", markRead);
  list.closest(".messages-scroller")?.addEventListener("scroll", markRead, { passive: true });
  notifyButton?.addEventListener("click", async () => {
    if (notificationsOn()) {
      localStorage.setItem(NOTIFY_KEY, "off");
    } else {
      localStorage.removeItem(NOTIFY_KEY);
      if (Notification.permission === "default") {
        await Notification.requestPermission(); // asked only now, after the reader's click
      }
    }
    refreshButton();
  });
  refreshButton();
  if (soundToggle) {
    soundToggle.checked = soundOn();
    soundToggle.addEventListener("change", () => {
      if (soundToggle.checked) {
        localStorage.removeItem(SOUND_KEY);
        unlockAudio();
        chime(); // what it will sound like
      } else {
        localStorage.setItem(SOUND_KEY, "off");
      }
    });
  }
  document.addEventListener("pointerdown", unlockAudio, { capture: true });
  document.addEventListener("keydown", unlockAudio, { capture: true });

  return { onMessage, onMention, onFloorGiven, onWarned, onSent, markRead, get unread() { return unread; } };
}
