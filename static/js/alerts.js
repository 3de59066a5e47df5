// How this browser alerts its reader (the room's attention.js uses it, and the settings page
// shows the same controls): browser notifications, asked for only after the reader's click
// and kept on or off here, and a short chime (Web Audio, no file) that can be turned off.
// Both choices live in this browser's localStorage: they are about this device, not the
// account. Sentences come from t(), already translated by the server.

const NOTIFY_KEY = "dialogue-notifications";
const SOUND_KEY = "dialogue-sound";

/**
 * The controls and the chime.
 *
 * options: { t, button (turns notifications on and off), state (says when the browser blocks
 *            them), soundToggle (a checkbox) }; each may be missing. t() needs the keys
 *            notificationsOn, notificationsOff and notificationsBlocked.
 */
export function createAlerts({ t, button = null, state = null, soundToggle = null }) {
  let audio = null;

  function notificationsOn() {
    return typeof Notification === "function" && Notification.permission === "granted"
      && localStorage.getItem(NOTIFY_KEY) !== "off";
  }

  function soundOn() {
    return localStorage.getItem(SOUND_KEY) !== "off";
  }

  function refresh() {
    if (button) {
      const supported = typeof Notification === "function";
      button.hidden = !supported;
      button.setAttribute("aria-pressed", notificationsOn() ? "true" : "false");
      button.textContent = notificationsOn() ? t("notificationsOff") : t("notificationsOn");
      if (state) {
        state.textContent = supported && Notification.permission === "denied" ? t("notificationsBlocked") : "";
      }
    }
    if (soundToggle) {
      soundToggle.checked = soundOn();
    }
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

  /** Two soft notes, under half a second; nothing when the sound is off. */
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
      // No sound is no loss: the page says the same.
    }
  }

  /** The chime, and a notification if the reader allowed them. `tag` lets a later
   *  notification of the same thing replace the earlier one; a click brings `element` in view. */
  function alert(title, { body = "", tag = "", element = null } = {}) {
    chime();
    if (!notificationsOn()) {
      return;
    }
    try {
      const notice = new Notification(title, { body, tag: tag || undefined });
      notice.onclick = () => {
        window.focus();
        element?.scrollIntoView({ block: "center" });
      };
    } catch (failure) {
      // Some browsers (Chrome on Android) allow notifications only from a service worker:
      // the chime and the page's own notice remain.
    }
  }

  button?.addEventListener("click", async () => {
    if (notificationsOn()) {
      localStorage.setItem(NOTIFY_KEY, "off");
    } else {
      localStorage.removeItem(NOTIFY_KEY);
      if (Notification.permission === "default") {
        await Notification.requestPermission(); // asked only now, after the reader's click
      }
    }
    refresh();
  });
  soundToggle?.addEventListener("change", () => {
    if (soundToggle.checked) {
      localStorage.removeItem(SOUND_KEY);
      unlockAudio();
      chime(); // what it will sound like
    } else {
      localStorage.setItem(SOUND_KEY, "off");
    }
  });
  document.addEventListener("pointerdown", unlockAudio, { capture: true });
  document.addEventListener("keydown", unlockAudio, { capture: true });
  refresh();

  return { alert, chime, notificationsOn, soundOn };
}
