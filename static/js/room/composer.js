// A composer: the form that writes to one channel of the room with `send` (docs/protocol.md,
// "Core events"). The room and the staff back-channel are two composers made by
// createComposer, each with its own elements, its rule for when it is open and its notes.
// Every message carries a client_id, which the server uses to ignore a message sent twice.
// Two ways to deal with a lost connection:
//   "queue":  a message waits while the connection is down and is sent again automatically,
//             with the same client_id, until it is acknowledged (the room);
//   "refuse": sending needs the connection; a message that got no answer keeps its
//             client_id, so sending the same text again cannot store it twice (staff).
// Enter sends and Shift+Enter starts a new line. All text shown comes from t().

import { RETRY_DELAY_MS } from "../common.js";

/** A fresh id for one message; the server uses it to ignore a message sent twice. */
export function newClientId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  // randomUUID needs a secure context (HTTPS or localhost); getRandomValues does not.
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Make a composer.
 *
 * options:
 *   channel      "room" or "staff" (sent as `channel` when not the room)
 *   mode         "queue" or "refuse" (above)
 *   elements     { form, input, send, note, error, counter? } and, to reply to messages,
 *                reply: { box, text, cancel, lookup(id) -> message data, describe(data) }
 *   t, sessionId, maxChars
 *   connection   { request, isReady(), isConnected(), isStopped() } (room/connection.js)
 *   isOpen()     whether one may write here now
 *   note(state)  the note for { open, sending, pending, connected }, or null to keep the current one
 *   openNote()   the note once a message went out
 *   refusal(answer) -> { text, code? }  what to say when the server refused a message
 *                (answer null: no answer came, "refuse" mode only)
 *   onSent(message)  the server took a message: show it
 *   onUpdate({ open, sending })  after every update, for the page's own marks
 */
export function createComposer(options) {
  const { channel, mode, elements, t, sessionId, maxChars, connection } = options;
  const { form, input, send, note, error, counter = null, reply = null } = elements;
  const pending = []; // "queue": messages sent but not yet acknowledged
  let attempt = null; // "refuse": { client_id, body } of the last try, reused if sent again
  let sending = false;
  let replyTo = null; // id of the message this one replies to

  /** Draw whether one may write now, and the note that says why not. */
  function update() {
    const open = options.isOpen();
    input.disabled = !open;
    send.disabled = !open || sending;
    input.readOnly = sending;
    options.onUpdate?.({ open, sending });
    const text = options.note({ open, sending, pending: pending.length, connected: connection.isConnected() });
    if (text !== null) {
      setNote(text);
    }
  }

  function setNote(text) {
    if (note.textContent !== text) {
      note.textContent = text;
    }
  }

  function showError(text, code = "") {
    error.textContent = text;
    error.dataset.code = code;
    error.hidden = !text;
  }

  /** Clear the error under the composer (only one with this code, when given). */
  function clearError(code = null) {
    if (code === null || error.dataset.code === code) {
      showError("");
    }
  }

  function updateCounter() {
    if (counter) {
      const count = input.value.length;
      counter.textContent = t("counter", { count, max: maxChars });
      counter.classList.toggle("char-counter-near", count > maxChars * 0.9);
    }
  }

  // --- Replying ------------------------------------------------------------------------

  /** Reply to a message (a visible one, while the composer is open). */
  function setReply(id) {
    const target = reply && reply.lookup(id);
    if (!target || target.status !== "visible" || !options.isOpen()) {
      return;
    }
    replyTo = target.id;
    showReplyTarget();
    input.focus();
  }

  function showReplyTarget() {
    const target = reply.lookup(replyTo);
    if (!target) {
      clearReply();
      return;
    }
    reply.text.textContent = reply.describe(target);
    reply.box.hidden = false;
  }

  function clearReply() {
    replyTo = null;
    if (reply) {
      reply.box.hidden = true;
      reply.text.textContent = "";
    }
  }

  /** A message changed: the reply target says so, and is dropped once no longer shown. */
  function messageChanged(key, message) {
    if (replyTo !== null && String(replyTo) === key) {
      showReplyTarget();
      if (message.status !== "visible") {
        clearReply();
      }
    }
  }

  // --- Sending -------------------------------------------------------------------------

  function submit() {
    if (sending || !options.isOpen()) {
      return;
    }
    const body = input.value;
    if (!body.trim()) {
      showError(t("empty"));
      return;
    }
    if (body.length > maxChars) {
      showError(t("tooLong", { max: maxChars }));
      return;
    }
    if (mode === "refuse" && !connection.isReady()) {
      showError(t("staffNotConnected"));
      return;
    }
    clearError();
    if (mode === "queue") {
      const item = { client_id: newClientId(), body, reply_to: replyTo, lang: chosenLanguage() };
      pending.push(item);
      sending = true;
      update();
      if (connection.isReady()) {
        setNote(t("sending"));
        deliver(item);
      } else {
        setNote(t("waitingToSend"));
      }
      return;
    }
    if (!attempt || attempt.body !== body) {
      attempt = { client_id: newClientId(), body, reply_to: replyTo, lang: chosenLanguage() };
    }
    sending = true;
    update();
    deliver(attempt);
  }

  /** The language the writer says the message is in (the room's language choice), if any. */
  function chosenLanguage() {
    const choice = channel === "room" ? document.getElementById("composer-lang") : null;
    return choice && choice.value ? choice.value : null;
  }

  function payloadOf(item) {
    const payload = { session_id: sessionId, client_id: item.client_id, body: item.body };
    if (item.lang) {
      payload.lang = item.lang;
    }
    if (item.reply_to !== null && item.reply_to !== undefined) {
      payload.reply_to = item.reply_to;
    }
    if (channel !== "room") {
      payload.channel = channel;
    }
    return payload;
  }

  /** Send one message and wait for its acknowledgement. */
  async function deliver(item) {
    if (item.inFlight || (mode === "queue" && connection.isStopped())) {
      return;
    }
    item.inFlight = true;
    let answer = null;
    let answered = true;
    try {
      answer = await connection.request("send", payloadOf(item));
    } catch (failure) {
      answered = false; // a timeout or a lost connection
    } finally {
      item.inFlight = false;
    }
    if (mode === "queue") {
      if (connection.isStopped()) {
        return;
      }
      if (!answered) {
        // No answer: the message stays pending and goes again with the same client_id.
        setNote(connection.isConnected() ? t("notSentYet") : t("waitingToSend"));
        window.setTimeout(() => {
          if (pending.includes(item) && connection.isReady()) {
            deliver(item);
          }
        }, RETRY_DELAY_MS);
        return;
      }
      pending.splice(pending.indexOf(item), 1);
      sending = pending.length > 0;
    } else {
      sending = false;
    }
    settle(item, answered ? answer : null);
  }

  /** The server answered (or, "refuse" mode, did not): show the message or say why not. */
  function settle(item, answer) {
    if (answer && answer.ok) {
      if (input.value === item.body) {
        input.value = "";
        updateCounter();
      }
      if (replyTo === item.reply_to) {
        clearReply();
      }
      if (item === attempt) {
        attempt = null;
      }
      clearError();
      setNote(options.openNote());
      options.onSent(answer.message);
    } else {
      const { text, code = "" } = options.refusal(answer);
      showError(text, code);
      setNote("");
    }
    update();
    if (document.activeElement === document.body && !input.disabled) {
      input.focus();
    }
  }

  /** Joined (again): send what waited for the connection. */
  function onJoined() {
    if (mode !== "queue") {
      return;
    }
    if (!pending.length) {
      setNote("");
    }
    for (const item of pending) {
      if (!item.inFlight) {
        setNote(t("sending"));
        deliver(item);
      }
    }
  }

  /** The connection was lost and is coming back: one can keep writing ("queue" mode). */
  function onReconnecting() {
    if (mode === "queue" && options.isOpen() && !pending.length) {
      setNote(t("connectionLost"));
    }
  }

  // --- The keyboard and the form ---------------------------------------------------------

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      submit();
    } else if (event.key === "Escape" && replyTo !== null) {
      event.preventDefault();
      clearReply();
    }
  });
  input.addEventListener("input", () => {
    updateCounter();
    if (!error.hidden) {
      clearError();
    }
  });
  if (reply) {
    reply.cancel.addEventListener("click", () => {
      clearReply();
      input.focus();
    });
  }
  updateCounter();

  return { update, setReply, messageChanged, clearError, onJoined, onReconnecting };
}
