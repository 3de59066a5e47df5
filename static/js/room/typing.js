// The typing indicator (docs/protocol.md, "Typing"). While I write in the room's composer,
// `typing` tells the room so, at most every few seconds, and that I stopped when I send, empty
// the box or pause; others' `typing` events show "Ani is writing", "Ani and Levon are writing"
// or "3 people are writing" under the list, and a writer unheard for a while is forgotten.
// Names come only with a member id, which a pseudonymous session never sends: there it is a
// count. The session's setting (`typing_indicator`) turns all of it off. Text via t/tn only.

const SAY_EVERY_MS = 3000; // how often a writer repeats that they are still writing
const IDLE_MS = 5000;      // no keystroke for this long: I stopped
const FORGET_MS = 8000;    // a writer not heard from for this long stopped

/**
 * options: { t, tn, sessionId, myId, connection, input (the room's textarea, or null),
 *            element (where the indicator shows), nameOf(memberId), canSay() }
 */
export function createTyping({ t, tn, sessionId, myId, connection, input, element, nameOf, canSay }) {
  const writers = new Map(); // writer id -> { memberId, until }
  let enabled = true;
  let myWriter = null;
  let saying = false;
  let lastSaid = 0;
  let idleTimer = null;
  let sweepTimer = null;

  function say(active) {
    if (!connection.isConnected()) {
      return;
    }
    connection.request("typing", { session_id: sessionId, typing: active }).then((answer) => {
      if (answer && answer.ok && typeof answer.writer === "string") {
        myWriter = answer.writer;
        if (writers.delete(myWriter)) {
          render();
        }
      }
    });
  }

  function stop() {
    clearTimeout(idleTimer);
    idleTimer = null;
    if (saying) {
      saying = false;
      say(false);
    }
  }

  function onInput() {
    if (!enabled || !canSay() || !input.value.trim()) {
      stop();
      return;
    }
    const now = Date.now();
    if (!saying || now - lastSaid >= SAY_EVERY_MS) {
      saying = true;
      lastSaid = now;
      say(true);
    }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(stop, IDLE_MS);
  }

  if (input) {
    input.addEventListener("input", onInput);
    input.addEventListener("blur", stop);
  }

  function render() {
    const now = Date.now();
    for (const [writer, entry] of writers) {
      if (entry.until <= now) {
        writers.delete(writer);
      }
    }
    const list = [...writers.values()];
    clearTimeout(sweepTimer);
    sweepTimer = list.length ? setTimeout(render, Math.min(...list.map((w) => w.until)) - now + 50) : null;
    if (!enabled || list.length === 0) {
      element.textContent = "";
      element.hidden = true;
      return;
    }
    const named = list.every((w) => w.memberId);
    let text;
    if (named && list.length === 1) {
      text = t("typingOne", { name: nameOf(list[0].memberId) });
    } else if (named && list.length === 2) {
      text = t("typingTwo", { name: nameOf(list[0].memberId), other: nameOf(list[1].memberId) });
    } else {
      text = tn("typingCount", list.length);
    }
    element.textContent = text;
    element.hidden = false;
  }

  /** A `typing` event. */
  function onTyping(payload) {
    if (!payload || payload.session_id !== sessionId || typeof payload.writer !== "string") {
      return;
    }
    const memberId = typeof payload.member_id === "string" ? payload.member_id : null;
    if (payload.writer === myWriter || (memberId && memberId === myId)) {
      return;
    }
    if (payload.typing === true) {
      writers.set(payload.writer, { memberId, until: Date.now() + FORGET_MS });
    } else {
      writers.delete(payload.writer);
    }
    render();
  }

  /** A message arrived: its author, when named, has stopped writing it. */
  function onMessage(message) {
    const author = message && message.author && message.author.id;
    if (!author) {
      return;
    }
    for (const [writer, entry] of writers) {
      if (entry.memberId === String(author)) {
        writers.delete(writer);
        render();
      }
    }
  }

  /** The session's setting, from `join` and `session` (absent: on). */
  function applySession(session) {
    if (session && typeof session.typing_indicator === "boolean") {
      enabled = session.typing_indicator;
      if (!enabled) {
        stop();
        writers.clear();
      }
      render();
    }
  }

  function clear() {
    saying = false;
    clearTimeout(idleTimer);
    writers.clear();
    render();
  }

  return { onTyping, onMessage, onSent: stop, applySession, clear };
}
