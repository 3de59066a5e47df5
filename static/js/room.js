// The live room: reads and writes one dialogue session over Socket.IO (docs/protocol.md,
// "Core events"). Everything this script shows comes from data attributes of #room, already
// translated by the server. Text from people goes into the page with textContent; the only
// HTML inserted is a message's body_html, which the server sanitized.

import { io } from "../vendor/socket.io-client/socket.io.esm.min.js";

const ACK_TIMEOUT_MS = 10000;
const RETRY_DELAY_MS = 2000;
const NEAR_BOTTOM_PX = 80;
const EXCERPT_CHARS = 80;

const root = document.getElementById("room");
if (root) {
  startRoom(root);
}

function startRoom(root) {
  const sessionId = root.dataset.sessionId;
  const canWrite = root.dataset.canWrite === "1";
  const maxChars = Number.parseInt(root.dataset.maxChars, 10) || 4000;
  const myId = root.dataset.meId;

  const $ = (id) => document.getElementById(id);
  const list = $("messages");
  const scroller = $("messages-scroller");
  const emptyNote = $("messages-empty");
  const newMessagesButton = $("new-messages");
  const stateBanner = $("session-state");
  const connectionStatus = $("connection-status");
  const roomNotice = $("room-notice");
  const presenceList = $("presence");
  const presenceCount = $("presence-count");
  const form = $("composer");
  const input = $("message-input");
  const sendButton = $("send-button");
  const counter = $("char-counter");
  const composerNote = $("composer-note");
  const composerError = $("composer-error");
  const replyBox = $("reply-target");
  const replyText = $("reply-target-text");
  const replyCancel = $("reply-cancel");

  // --- Translated text -----------------------------------------------------------------

  /** The sentence stored as data-i18n-<key> (key in camelCase), with {placeholders} filled. */
  function t(key, values = {}) {
    const name = "i18n" + key.charAt(0).toUpperCase() + key.slice(1);
    const template = root.dataset[name] ?? "";
    return template.replace(/\{(\w+)\}/g, (whole, field) =>
      Object.prototype.hasOwnProperty.call(values, field) ? String(values[field]) : whole);
  }

  function capitalised(word) {
    return String(word || "").charAt(0).toUpperCase() + String(word || "").slice(1);
  }

  function roleLabel(role) {
    return t("role" + capitalised(role)) || String(role || "");
  }

  // --- State ---------------------------------------------------------------------------

  const messages = new Map(); // String(message id) -> { data, element }
  // Resume point for `join` after a reconnect: every change up to it has been seen.
  let lastSeq = 0;
  let syncing = false;        // between `join` and the last `history` page
  let joined = false;
  let stopped = false;        // removed, signed out or refused: no more reconnecting
  let sessionState = root.dataset.initialState || "draft";
  let replyTo = null;         // id of the message the composer replies to
  const pending = [];         // messages sent but not yet acknowledged: { client_id, body, reply_to }
  let sending = false;

  // --- Connection ----------------------------------------------------------------------

  const socket = io({ transports: ["websocket", "polling"] });

  function setConnection(state) {
    if (connectionStatus.dataset.state === state) {
      return;
    }
    connectionStatus.dataset.state = state;
    connectionStatus.textContent = t(state);
  }

  socket.on("connect", () => {
    setConnection("connected");
    joinSession();
  });

  socket.on("disconnect", (reason) => {
    joined = false;
    presenceList.dataset.stale = "true";
    if (stopped) {
      setConnection("disconnected");
      return;
    }
    if (reason === "io server disconnect") {
      // The server dropped this socket on purpose without a `removed` first. As the
      // protocol asks, do not reconnect by ourselves; the person can reload the page.
      stopRoom(t("disconnectedByServer"), { link: window.location.pathname, linkText: t("reload") });
      return;
    }
    setConnection("reconnecting");
    if (composerOpen() && !pending.length) {
      setComposerNote(t("connectionLost"));
    }
  });

  socket.io.on("reconnect_attempt", () => {
    if (!stopped) {
      setConnection("reconnecting");
    }
  });

  socket.on("connect_error", (error) => {
    if (error && error.data && error.data.code === "unauthorized") {
      stopRoom(t("signInAgain"), { link: root.dataset.loginUrl, linkText: t("signIn") });
      return;
    }
    if (!stopped) {
      setConnection("reconnecting");
    }
  });

  socket.on("removed", (payload) => {
    if (payload && payload.session_id && payload.session_id !== sessionId) {
      return;
    }
    const reason = payload && payload.reason;
    if (reason === "logged_out") {
      stopRoom(t("loggedOut"), { link: root.dataset.loginUrl, linkText: t("signIn") });
    } else if (reason === "account_deactivated") {
      stopRoom(t("accountDeactivated"));
    } else if (reason === "removed") {
      stopRoom(t("removedFromSession"), { link: root.dataset.homeUrl, linkText: t("backHome") });
    } else {
      stopRoom(t("disconnectedByServer"), { link: root.dataset.homeUrl, linkText: t("backHome") });
    }
  });

  /** Stop for good: say why, close the composer and never reconnect. */
  function stopRoom(text, { link = null, linkText = "" } = {}) {
    stopped = true;
    joined = false;
    socket.io.opts.reconnection = false;
    socket.disconnect();
    setConnection("disconnected");
    showRoomNotice(text, link, linkText);
    presenceList.replaceChildren();
    presenceCount.textContent = "";
    updateComposer();
  }

  function showRoomNotice(text, link = null, linkText = "") {
    const paragraph = document.createElement("p");
    paragraph.textContent = text;
    if (link) {
      paragraph.append(" ");
      const anchor = document.createElement("a");
      anchor.href = link;
      anchor.textContent = linkText;
      paragraph.append(anchor);
    }
    roomNotice.replaceChildren(paragraph);
    roomNotice.hidden = false;
  }

  function hideRoomNotice() {
    roomNotice.hidden = true;
    roomNotice.replaceChildren();
  }

  /** An acknowledged emit; resolves to the answer, rejects on timeout or disconnect. */
  function request(event, payload) {
    return socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
  }

  /** Join (or re-join after a reconnect) and fetch everything changed since lastSeq. */
  async function joinSession() {
    if (stopped) {
      return;
    }
    syncing = true;
    list.setAttribute("aria-busy", "true");
    const wasAtBottom = isNearBottom() || messages.size === 0;
    try {
      let answer = await request("join", { session_id: sessionId, since_seq: lastSeq });
      if (!answer || !answer.ok) {
        handleJoinRefusal(answer);
        return;
      }
      hideRoomNotice();
      renderSessionState(answer.session && answer.session.state);
      let cursor = absorbPage(answer);
      while (answer.more) {
        answer = await request("history", { session_id: sessionId, since_seq: cursor });
        if (!answer || !answer.ok) {
          throw new Error("history refused");
        }
        cursor = absorbPage(answer);
      }
      // Everything up to the server's last_seq is now known; live events continue from here.
      lastSeq = Math.max(lastSeq, cursor, highestSeenSeq());
      joined = true;
      if (!pending.length) {
        setComposerNote("");
      }
      flushPending();
    } catch (error) {
      // A timeout or a lost connection: try again while connected; reconnecting re-joins.
      if (!stopped && socket.connected) {
        window.setTimeout(() => {
          if (!stopped && socket.connected && !joined) {
            joinSession();
          }
        }, RETRY_DELAY_MS);
      }
    } finally {
      syncing = false;
      list.setAttribute("aria-busy", "false");
      updateComposer();
      if (wasAtBottom) {
        scrollToBottom();
      }
    }
  }

  function handleJoinRefusal(answer) {
    const error = (answer && answer.error) || {};
    if (error.code === "forbidden" || error.code === "not_found") {
      stopRoom(t("noAccess"), { link: root.dataset.homeUrl, linkText: t("backHome") });
    } else if (error.code === "unauthorized") {
      stopRoom(t("signInAgain"), { link: root.dataset.loginUrl, linkText: t("signIn") });
    } else {
      showRoomNotice(t("joinFailed", { message: error.message || "" }));
      throw new Error("join refused");
    }
  }

  /** Upsert one page of a join/history answer; return its last_seq. */
  function absorbPage(page) {
    upsertAll(Array.isArray(page.messages) ? page.messages : []);
    const pageLast = Number.isInteger(page.last_seq) ? page.last_seq : 0;
    return Math.max(pageLast, highestSeqIn(page.messages));
  }

  function highestSeqIn(items) {
    let highest = 0;
    for (const item of items || []) {
      if (item && Number.isInteger(item.seq) && item.seq > highest) {
        highest = item.seq;
      }
    }
    return highest;
  }

  function highestSeenSeq() {
    let highest = 0;
    for (const { data } of messages.values()) {
      highest = Math.max(highest, data.seq);
    }
    return highest;
  }

  // --- Live events ---------------------------------------------------------------------

  function onLiveMessage(message) {
    if (!message || message.session_id !== sessionId) {
      return;
    }
    const atBottom = isNearBottom();
    upsert(message);
    // While a join is still paging through history, the resume point stays where the pages
    // are, so that a reconnect in between does not skip the pages not yet read.
    if (!syncing && Number.isInteger(message.seq)) {
      lastSeq = Math.max(lastSeq, message.seq);
    }
    if (atBottom) {
      scrollToBottom();
    } else {
      newMessagesButton.hidden = false;
    }
  }

  socket.on("message", onLiveMessage);
  socket.on("message_updated", onLiveMessage);

  socket.on("session", (payload) => {
    if (payload && payload.session_id === sessionId) {
      renderSessionState(payload.state);
    }
  });

  socket.on("presence", (payload) => {
    if (payload && payload.session_id === sessionId && Array.isArray(payload.online)) {
      renderPresence(payload.online);
    }
  });

  socket.on("notice", (payload) => {
    if (!payload || typeof payload.kind !== "string") {
      return;
    }
    let text = t("notice" + capitalised(payload.kind));
    if (!text) {
      return;
    }
    if (payload.reason) {
      text += " " + t("noticeReason", { reason: payload.reason });
    }
    showRoomNotice(text);
  });

  // --- Messages ------------------------------------------------------------------------

  function upsertAll(items) {
    for (const item of items) {
      upsert(item);
    }
  }

  /** Insert or replace a message by id. New messages are placed in the order they were
   * written (by id); a change (approved, hidden, redacted) replaces the message where it is,
   * so a moderation notice stays next to what it answered. */
  function upsert(message) {
    if (!message || message.session_id !== sessionId || message.id === undefined || message.id === null) {
      return;
    }
    if (!Number.isInteger(message.seq)) {
      return;
    }
    const key = String(message.id);
    const known = messages.get(key);
    if (known && known.data.seq >= message.seq) {
      return; // the same change again (a reconnect, or ack and broadcast), or an older one
    }
    const element = renderMessage(message);
    if (known) {
      known.element.replaceWith(element);
    } else {
      placeInWritingOrder(element, message.id);
    }
    messages.set(key, { data: message, element });
    emptyNote.hidden = messages.size > 0;
    refreshRepliesTo(key);
    if (replyTo !== null && String(replyTo) === key && message.status !== "visible") {
      clearReply();
    }
  }

  function placeInWritingOrder(element, id) {
    let before = list.lastElementChild;
    while (before && Number(before.dataset.messageId) > Number(id)) {
      before = before.previousElementSibling;
    }
    if (before) {
      before.after(element);
    } else {
      list.prepend(element);
    }
  }

  function renderMessage(message) {
    const author = message.author || {};
    const item = document.createElement("li");
    item.className = "message";
    item.id = "message-" + message.id;
    item.tabIndex = -1; // a target for "replying to" links
    item.dataset.messageId = String(message.id);
    item.dataset.seq = String(message.seq);
    item.dataset.status = String(message.status || "visible");
    if (author.id !== undefined && String(author.id) === myId) {
      item.classList.add("message-own");
    }

    const meta = document.createElement("p");
    meta.className = "message-meta";
    meta.append(span("message-author", author.name || ""));
    if (author.side) {
      meta.append(span("message-side", author.side));
    }
    if (author.role === "facilitator" || author.role === "moderator") {
      meta.append(span("message-role badge", roleLabel(author.role)));
    }
    const created = new Date(message.created_at);
    if (!Number.isNaN(created.getTime())) {
      const time = document.createElement("time");
      time.className = "message-time";
      time.dateTime = message.created_at;
      time.textContent = formatTime(created);
      time.title = fullDateFormat.format(created);
      meta.append(time);
    }
    if (message.status === "held") {
      const own = item.classList.contains("message-own");
      meta.append(span("message-flag badge", own ? t("awaitingReviewOwn") : t("awaitingReview")));
    }
    item.append(meta);

    if (message.reply_to !== null && message.reply_to !== undefined) {
      item.dataset.replyTo = String(message.reply_to);
      item.append(renderReplyContext(message.reply_to));
    }

    const body = document.createElement("div");
    body.className = "message-body";
    if (message.status === "hidden") {
      body.classList.add("message-withheld");
      body.textContent = t("hiddenByModerators");
    } else if (message.status === "redacted") {
      body.classList.add("message-withheld");
      body.textContent = t("messageRemoved");
    } else {
      // The server's sanitized HTML (dialogue/sanitize.py): the one thing set as HTML.
      body.innerHTML = message.body_html || "";
    }
    item.append(body);

    if (canWrite && message.status === "visible") {
      const actions = document.createElement("div");
      actions.className = "message-actions";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button-link message-reply-button";
      button.textContent = t("reply");
      button.setAttribute("aria-label", t("replyTo", { name: author.name || "" }));
      actions.append(button);
      item.append(actions);
    }
    return item;
  }

  function renderReplyContext(targetId) {
    const context = document.createElement("p");
    context.className = "message-reply";
    const link = document.createElement("a");
    link.className = "message-reply-link";
    link.href = "#message-" + encodeURIComponent(String(targetId));
    link.dataset.target = String(targetId);
    link.textContent = replySummary(targetId);
    context.append(link);
    return context;
  }

  function replySummary(targetId) {
    const target = messages.get(String(targetId));
    if (!target) {
      return t("replyingToUnknown");
    }
    if (target.data.status === "hidden" || target.data.status === "redacted") {
      return t("replyingToWithheld");
    }
    return t("replyingTo", { name: (target.data.author || {}).name || "", excerpt: excerptOf(target.data) });
  }

  function refreshRepliesTo(key) {
    for (const { element } of messages.values()) {
      if (element.dataset.replyTo === key) {
        const link = element.querySelector(".message-reply-link");
        if (link) {
          link.textContent = replySummary(key);
        }
      }
    }
    if (replyTo !== null && String(replyTo) === key) {
      showReplyTarget();
    }
  }

  /** Plain text of a message body, shortened. Parsed in an inert document: nothing runs or loads. */
  function excerptOf(message) {
    const parsed = new DOMParser().parseFromString(message.body_html || "", "text/html");
    const text = (parsed.body.textContent || "").replace(/\s+/g, " ").trim();
    const characters = Array.from(text);
    return characters.length > EXCERPT_CHARS ? characters.slice(0, EXCERPT_CHARS).join("") + "…" : text;
  }

  function span(className, text) {
    const element = document.createElement("span");
    element.className = className;
    element.textContent = text;
    return element;
  }

  const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  const dayTimeFormat = new Intl.DateTimeFormat(undefined, {
    day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  });
  const fullDateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });

  function formatTime(date) {
    const now = new Date();
    const sameDay = date.getFullYear() === now.getFullYear() && date.getMonth() === now.getMonth()
      && date.getDate() === now.getDate();
    return sameDay ? timeFormat.format(date) : dayTimeFormat.format(date);
  }

  list.addEventListener("click", (event) => {
    const replyButton = event.target.closest(".message-reply-button");
    if (replyButton) {
      const item = replyButton.closest(".message");
      setReply(item.dataset.messageId);
      return;
    }
    const link = event.target.closest(".message-reply-link");
    if (link) {
      const target = document.getElementById("message-" + link.dataset.target);
      if (target) {
        event.preventDefault();
        target.scrollIntoView({ block: "center" });
        target.focus({ preventScroll: true });
      }
    }
  });

  // --- Scrolling -----------------------------------------------------------------------

  function isNearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
  }

  function scrollToBottom() {
    scroller.scrollTop = scroller.scrollHeight;
    newMessagesButton.hidden = true;
  }

  scroller.addEventListener("scroll", () => {
    if (isNearBottom()) {
      newMessagesButton.hidden = true;
    }
  }, { passive: true });

  newMessagesButton.addEventListener("click", () => {
    scrollToBottom();
    const last = list.lastElementChild;
    if (last) {
      last.focus({ preventScroll: true });
    }
  });

  // --- Session state and presence ------------------------------------------------------

  function renderSessionState(state) {
    if (typeof state !== "string" || !state) {
      return;
    }
    sessionState = state;
    stateBanner.dataset.state = state;
    stateBanner.textContent = t("state" + capitalised(state)) || t("stateUnknown");
    updateComposer();
  }

  function renderPresence(online) {
    const items = online.map((member) => {
      const item = document.createElement("li");
      item.className = "presence-member";
      item.dataset.userId = String(member.id);
      item.append(span("presence-name", member.name || roleLabel(member.role)));
      if (String(member.id) === myId) {
        item.append(" ", span("presence-you", "(" + t("you") + ")"));
      }
      const details = [];
      if (member.side) {
        details.push(member.side);
      }
      if (member.role) {
        details.push(roleLabel(member.role));
      }
      if (details.length) {
        item.append(span("presence-details", details.join(" · ")));
      }
      return item;
    });
    presenceList.replaceChildren(...items);
    presenceList.dataset.stale = "false";
    presenceCount.textContent = "(" + online.length + ")";
  }

  // --- Composer ------------------------------------------------------------------------

  function composerOpen() {
    return canWrite && !stopped && sessionState === "live";
  }

  function updateComposer() {
    if (!form) {
      return;
    }
    const open = composerOpen();
    root.dataset.composer = open ? "open" : "closed";
    input.disabled = !open;
    sendButton.disabled = !open || sending;
    input.readOnly = sending;
    form.setAttribute("aria-busy", sending ? "true" : "false");
    if (!open && !stopped) {
      const closed = t("composerClosed" + capitalised(sessionState)) || t("composerClosed");
      setComposerNote(closed);
    } else if (!open) {
      setComposerNote("");
    } else if (!sending && !pending.length && socket.connected) {
      setComposerNote("");
    }
  }

  function setComposerNote(text) {
    if (composerNote && composerNote.textContent !== text) {
      composerNote.textContent = text;
    }
  }

  function showComposerError(text) {
    composerError.textContent = text;
    composerError.hidden = false;
  }

  function clearComposerError() {
    composerError.hidden = true;
    composerError.textContent = "";
  }

  function updateCounter() {
    const count = input.value.length;
    counter.textContent = t("counter", { count, max: maxChars });
    counter.classList.toggle("char-counter-near", count > maxChars * 0.9);
  }

  function setReply(id) {
    const target = messages.get(String(id));
    if (!target || target.data.status !== "visible" || !composerOpen()) {
      return;
    }
    replyTo = target.data.id;
    showReplyTarget();
    input.focus();
  }

  function showReplyTarget() {
    const target = messages.get(String(replyTo));
    if (!target) {
      clearReply();
      return;
    }
    replyText.textContent = t("replyingTo", {
      name: (target.data.author || {}).name || "", excerpt: excerptOf(target.data),
    });
    replyBox.hidden = false;
  }

  function clearReply() {
    replyTo = null;
    if (replyBox) {
      replyBox.hidden = true;
      replyText.textContent = "";
    }
  }

  /** A fresh id for one message; the server uses it to ignore a message sent twice. */
  function newClientId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // randomUUID needs a secure context (HTTPS or localhost); getRandomValues does not.
    const bytes = window.crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function submitMessage() {
    if (sending || !composerOpen()) {
      return;
    }
    const body = input.value;
    if (!body.trim()) {
      showComposerError(t("empty"));
      return;
    }
    if (body.length > maxChars) {
      showComposerError(t("tooLong", { max: maxChars }));
      return;
    }
    clearComposerError();
    const item = { client_id: newClientId(), body, reply_to: replyTo };
    pending.push(item);
    sending = true;
    updateComposer();
    if (joined && socket.connected) {
      setComposerNote(t("sending"));
      deliver(item);
    } else {
      setComposerNote(t("waitingToSend"));
    }
  }

  /** Send one pending message. On timeout or disconnect it stays pending and is sent again
      with the same client_id, which the server recognises. */
  function deliver(item) {
    if (item.inFlight || stopped) {
      return;
    }
    item.inFlight = true;
    const payload = { session_id: sessionId, client_id: item.client_id, body: item.body };
    if (item.reply_to !== null && item.reply_to !== undefined) {
      payload.reply_to = item.reply_to;
    }
    socket.timeout(ACK_TIMEOUT_MS).emit("send", payload, (error, answer) => {
      item.inFlight = false;
      if (stopped) {
        return;
      }
      if (error) {
        setComposerNote(socket.connected ? t("notSentYet") : t("waitingToSend"));
        window.setTimeout(() => {
          if (pending.includes(item) && joined && socket.connected) {
            deliver(item);
          }
        }, RETRY_DELAY_MS);
        return;
      }
      pending.splice(pending.indexOf(item), 1);
      sending = pending.length > 0;
      if (answer && answer.ok) {
        if (input.value === item.body) {
          input.value = "";
          updateCounter();
        }
        if (replyTo === item.reply_to) {
          clearReply();
        }
        clearComposerError();
        setComposerNote("");
        upsert(answer.message);
        scrollToBottom();
      } else {
        const message = answer && answer.error && answer.error.message;
        showComposerError(message || t("sendFailed"));
        setComposerNote("");
      }
      updateComposer();
      if (document.activeElement === document.body && !input.disabled) {
        input.focus();
      }
    });
  }

  function flushPending() {
    for (const item of pending) {
      if (!item.inFlight) {
        setComposerNote(t("sending"));
        deliver(item);
      }
    }
  }

  if (form) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submitMessage();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        submitMessage();
      } else if (event.key === "Escape" && replyTo !== null) {
        event.preventDefault();
        clearReply();
      }
    });
    input.addEventListener("input", () => {
      updateCounter();
      if (!composerError.hidden) {
        clearComposerError();
      }
    });
    replyCancel.addEventListener("click", () => {
      clearReply();
      input.focus();
    });
    updateCounter();
  }

  setConnection("connecting");
  updateComposer();
}
