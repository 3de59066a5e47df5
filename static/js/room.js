// The live room: reads and writes one dialogue session over Socket.IO (docs/protocol.md,
// "Core events"), and its staff back-channel; the facilitation parts (phase, floor, balance,
// controls, my settings) are in room-facilitation.js. Everything this script shows comes
// from data attributes of #room, already translated by the server. Text from people goes
// into the page with textContent; the only HTML inserted is a message's body_html, which the
// server sanitized.

import { io } from "../vendor/socket.io-client/socket.io.esm.min.js";
import { startFacilitation } from "./room-facilitation.js";

const ACK_TIMEOUT_MS = 10000;
const RETRY_DELAY_MS = 2000;
const NEAR_BOTTOM_PX = 80;
const EXCERPT_CHARS = 80;
const MAX_NOTICES = 4;
const MAX_TIMER_MS = 2 ** 31 - 1;

const root = document.getElementById("room");
if (root) {
  startRoom(root);
}

function startRoom(root) {
  const sessionId = root.dataset.sessionId;
  const canWrite = root.dataset.canWrite === "1";
  const maxChars = Number.parseInt(root.dataset.maxChars, 10) || 4000;
  const myId = root.dataset.meId;
  const canFlag = root.dataset.canFlag === "1";
  const canModerate = root.dataset.canModerate === "1";
  const myRole = root.dataset.myRole || "";
  const canManage = root.dataset.canManage === "1";
  const isStaff = root.dataset.isStaff === "1";
  const canStaffChannel = root.dataset.canStaffChannel === "1";

  const $ = (id) => document.getElementById(id);
  const list = $("messages");
  const scroller = $("messages-scroller");
  const emptyNote = $("messages-empty");
  const newMessagesButton = $("new-messages");
  const stateBanner = $("session-state");
  const connectionStatus = $("connection-status");
  const roomNotice = $("room-notice");
  const noticeList = $("room-notices");
  const moderationNote = $("moderation-note");
  const queueCount = $("queue-link-count");
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
  // The staff back-channel (facilitators and moderators only): its own list and composer.
  const staffList = canStaffChannel ? $("staff-messages") : null;
  const staffScroller = $("staff-scroller");
  const staffEmpty = $("staff-empty");
  const staffForm = $("staff-composer");
  const staffInput = $("staff-input");
  const staffSend = $("staff-send");
  const staffNote = $("staff-note");
  const staffError = $("staff-error");

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
  let mutedUntil = null;      // Date until which a moderator muted me, or null
  let muteTimer = null;
  const flagged = new Map();  // String(message id) -> thank-you text, once I flagged it
  let flagForm = null;        // the one open flag form: { messageId, form }
  const ownNotices = new Map(); // String(message id) -> latest notice kind about my message
  const openQueueItems = new Set(); // staff: ids of open queue items of this session
  let staffAttempt = null;    // staff channel: { client_id, body } of the last try, reused if sent again
  let staffSending = false;

  // --- Connection ----------------------------------------------------------------------

  const socket = io({ transports: ["websocket", "polling"] });

  const facilitation = startFacilitation({
    t, sessionId, myId, myRole, canManage, isStaff,
    request: (event, payload) => request(event, payload),
    formatTime: (date) => formatTime(date),
    fullDate: (date) => fullDateFormat.format(date),
    onFloorChange: () => {
      // "Not your turn" is answered once the floor is mine.
      if (composerError && composerError.dataset.code === "not_your_turn" && facilitation.holdsFloor()) {
        clearComposerError();
      }
      updateComposer();
      updateStaffComposer();
    },
  });

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
    facilitation.onDisconnected();
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
    facilitation.stop();
    socket.io.opts.reconnection = false;
    socket.disconnect();
    setConnection("disconnected");
    showRoomNotice(text, link, linkText);
    presenceList.replaceChildren();
    presenceCount.textContent = "";
    updateComposer();
    updateStaffComposer();
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
      if (answer.me && typeof answer.me === "object") {
        facilitation.applyMe(answer.me);
        if ("muted_until" in answer.me) {
          setMuted(answer.me.muted_until);
        }
      }
      renderSessionState(answer.session && answer.session.state);
      renderModerationMode(answer.session && answer.session.moderation);
      facilitation.applySession(answer.session);
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
      facilitation.onJoined();
      if (canModerate) {
        loadQueueCount();
      }
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
      updateStaffComposer();
      if (wasAtBottom) {
        scrollToBottom();
      }
      scrollStaffToBottom();
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
    const staffMessage = message.channel === "staff";
    const atBottom = staffMessage ? isStaffNearBottom() : isNearBottom();
    upsert(message);
    // While a join is still paging through history, the resume point stays where the pages
    // are, so that a reconnect in between does not skip the pages not yet read.
    if (!syncing && Number.isInteger(message.seq)) {
      lastSeq = Math.max(lastSeq, message.seq);
    }
    if (staffMessage) {
      if (atBottom) {
        scrollStaffToBottom();
      }
      return;
    }
    facilitation.refreshBalanceSoon();
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
      renderModerationMode(payload.moderation);
      facilitation.applySession(payload);
    }
  });

  socket.on("presence", (payload) => {
    if (payload && payload.session_id === sessionId && Array.isArray(payload.online)) {
      renderPresence(payload.online);
      facilitation.learnNames(payload.online);
    }
  });

  // --- Moderation: notices addressed to me, flags, the queue link -----------------------

  socket.on("notice", (payload) => {
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
  });

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
        const why = codes.map((code) => t("heldWhy" + camel(code))).filter(Boolean);
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

  /** "identifying_info" -> "IdentifyingInfo", for data-i18n keys. */
  function camel(code) {
    return String(code || "").split(/[_\-]+/).filter(Boolean).map(capitalised).join("");
  }

  function parseDate(value) {
    if (!value) {
      return null;
    }
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
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
    if (messageId && messages.has(messageId)) {
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
    if (link) {
      const target = document.getElementById("message-" + link.dataset.target);
      if (target) {
        event.preventDefault();
        target.scrollIntoView({ block: "center" });
        target.focus({ preventScroll: true });
      }
    }
  });

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
    updateComposer();
  }

  function isMuted() {
    return mutedUntil !== null && mutedUntil.getTime() > Date.now();
  }

  function renderModerationMode(mode) {
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

  socket.on("queue_item", (item) => {
    if (!item || item.session_id !== sessionId || !queueCount) {
      return;
    }
    if (item.status === "pending" || item.status === "escalated") {
      openQueueItems.add(String(item.id));
    } else {
      openQueueItems.delete(String(item.id));
    }
    renderQueueCount();
  });

  function renderQueueCount() {
    if (!queueCount) {
      return;
    }
    queueCount.textContent = openQueueItems.size ? "(" + t("queueWaiting", { count: openQueueItems.size }) + ")" : "";
    queueCount.hidden = openQueueItems.size === 0;
  }

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
    const staffMessage = message.channel === "staff";
    if (staffMessage && !staffList) {
      return; // never into the room's list, whatever arrives
    }
    const key = String(message.id);
    const known = messages.get(key);
    if (known && known.data.seq >= message.seq) {
      return; // the same change again (a reconnect, or ack and broadcast), or an older one
    }
    const active = document.activeElement;
    const element = renderMessage(message);
    if (known) {
      known.element.replaceWith(element);
      keepFocus(active, known.element, element);
    } else {
      placeInWritingOrder(element, message.id, staffMessage ? staffList : list);
    }
    messages.set(key, { data: message, element });
    if (message.author) {
      facilitation.learnNames([message.author]);
    }
    emptyNote.hidden = list.children.length > 0;
    if (staffEmpty && staffList) {
      staffEmpty.hidden = staffList.children.length > 0;
    }
    refreshRepliesTo(key);
    if (replyTo !== null && String(replyTo) === key && message.status !== "visible") {
      clearReply();
    }
  }

  function placeInWritingOrder(element, id, into) {
    let before = into.lastElementChild;
    while (before && Number(before.dataset.messageId) > Number(id)) {
      before = before.previousElementSibling;
    }
    if (before) {
      before.after(element);
    } else {
      into.prepend(element);
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
    item.dataset.channel = message.channel === "staff" ? "staff" : "room";
    if (message.phase !== null && message.phase !== undefined) {
      item.dataset.phase = String(message.phase);
    }
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
    const own = item.classList.contains("message-own");
    if (message.status === "held") {
      meta.append(span("message-flag badge", own ? t("awaitingReviewOwn") : t("awaitingReview")));
    }
    // Staff receive the text of a hidden message, to review it; it is marked as hidden.
    const staffSeesHidden = message.status === "hidden" && Boolean(message.body_html);
    if (staffSeesHidden) {
      meta.append(span("message-hidden-mark badge", t("hiddenMark")));
    }
    item.append(meta);

    if (message.reply_to !== null && message.reply_to !== undefined) {
      item.dataset.replyTo = String(message.reply_to);
      item.append(renderReplyContext(message.reply_to));
    }

    const body = document.createElement("div");
    body.className = "message-body";
    if (message.status === "hidden" && !staffSeesHidden) {
      body.classList.add("message-withheld");
      body.textContent = own && ownNotices.get(String(message.id)) === "rejected"
        ? t("ownRejected") : t("hiddenByModerators");
    } else if (message.status === "redacted") {
      body.classList.add("message-withheld");
      body.textContent = t("messageRemoved");
    } else {
      // The server's sanitized HTML (dialogue/sanitize.py): the one thing set as HTML.
      body.innerHTML = message.body_html || "";
    }
    item.append(body);

    const key = String(message.id);
    if (message.channel === "staff") {
      return item; // the staff's own conversation: no replies, no flags
    }
    const flaggable = canFlag && message.status === "visible" && !own;
    if ((canWrite || flaggable) && message.status === "visible") {
      const actions = document.createElement("div");
      actions.className = "message-actions";
      if (canWrite) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button-link message-reply-button";
        button.textContent = t("reply");
        button.setAttribute("aria-label", t("replyTo", { name: author.name || "" }));
        actions.append(button);
      }
      if (flaggable) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button-link message-flag-button";
        if (flagged.has(key)) {
          button.textContent = t("flagged");
          button.disabled = true;
        } else {
          button.textContent = t("flag");
          button.setAttribute("aria-label", t("flagMessageOf", { name: author.name || "" }));
          button.setAttribute("aria-expanded", flagForm && flagForm.messageId === key ? "true" : "false");
        }
        actions.append(button);
      }
      item.append(actions);
      if (flaggable && flagForm && flagForm.messageId === key) {
        item.append(flagForm.form); // an open flag form survives the message changing
      }
      if (flaggable && flagged.has(key)) {
        const thanks = span("flag-result", flagged.get(key));
        thanks.setAttribute("role", "status");
        item.append(thanks);
      }
    }
    if (flagForm && flagForm.messageId === key && !flaggable) {
      flagForm = null; // the message can no longer be flagged (hidden, removed)
    }
    return item;
  }

  /** Draw one known message again in place (after a notice about it). */
  function rerender(key) {
    const known = messages.get(key);
    if (!known) {
      return;
    }
    const active = document.activeElement;
    const element = renderMessage(known.data);
    known.element.replaceWith(element);
    keepFocus(active, known.element, element);
    known.element = element;
  }

  /** A message drawn again keeps the keyboard where it was: on a control that moved with it
   * (an open flag form), else on the message itself. */
  function keepFocus(active, before, after) {
    if (!active || active === document.body) {
      return;
    }
    if (after.contains(active)) {
      if (document.activeElement !== active) {
        active.focus({ preventScroll: true });
      }
    } else if (active === before || before.contains(active)) {
      after.focus({ preventScroll: true });
    }
  }

  // --- Flags ---------------------------------------------------------------------------

  let flagFormCount = 0;

  function openFlagForm(key) {
    const target = messages.get(key);
    if (!target) {
      return;
    }
    if (flagForm && flagForm.messageId === key) {
      flagForm.form.querySelector("select").focus();
      return;
    }
    closeFlagForm(false);
    flagFormCount += 1;
    const prefix = "flag-" + flagFormCount;
    const form = document.createElement("form");
    form.className = "flag-form";
    form.noValidate = true;
    form.dataset.messageId = key;
    form.setAttribute("aria-labelledby", prefix + "-title");

    const title = document.createElement("p");
    title.className = "flag-form-title";
    title.id = prefix + "-title";
    title.textContent = t("flagTitle");

    const reasonField = document.createElement("div");
    reasonField.className = "flag-field";
    const reasonLabel = document.createElement("label");
    reasonLabel.htmlFor = prefix + "-reason";
    reasonLabel.textContent = t("flagReasonLabel");
    const select = document.createElement("select");
    select.name = "reason";
    select.id = prefix + "-reason";
    select.required = true;
    const placeholder = new Option(t("flagChoose"), "");
    select.append(placeholder);
    for (const reason of ["incitement", "hate", "personal_attack", "identifying_info", "off_topic", "spam", "other"]) {
      select.append(new Option(t("flagReason" + camel(reason)) || reason, reason));
    }
    reasonField.append(reasonLabel, select);

    const noteField = document.createElement("div");
    noteField.className = "flag-field";
    const noteLabel = document.createElement("label");
    noteLabel.htmlFor = prefix + "-note";
    noteLabel.textContent = t("flagNoteLabel");
    const noteHint = document.createElement("span");
    noteHint.className = "field-hint flag-note-hint";
    noteHint.id = prefix + "-note-hint";
    noteHint.textContent = t("flagNoteHint");
    const note = document.createElement("input");
    note.type = "text";
    note.name = "note";
    note.id = prefix + "-note";
    note.maxLength = 1000;
    note.autocomplete = "off";
    note.setAttribute("aria-describedby", noteHint.id);
    noteField.append(noteLabel, note, noteHint);

    const buttons = document.createElement("div");
    buttons.className = "flag-form-actions";
    const submit = document.createElement("button");
    submit.type = "submit";
    submit.className = "button button-small button-primary";
    submit.textContent = t("flagSend");
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button button-small flag-cancel";
    cancel.textContent = t("flagCancel");
    buttons.append(submit, cancel);

    const error = document.createElement("p");
    error.className = "flag-error";
    error.setAttribute("role", "alert");
    error.hidden = true;

    form.append(title, reasonField, noteField, buttons, error);
    flagForm = { messageId: key, form };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      sendFlag(key, form);
    });
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        closeFlagForm(true);
      }
    });
    select.addEventListener("change", () => {
      note.required = select.value === "other";
    });
    cancel.addEventListener("click", () => closeFlagForm(true));
    rerender(key);
    select.focus();
  }

  function closeFlagForm(returnFocus) {
    if (!flagForm) {
      return;
    }
    const key = flagForm.messageId;
    flagForm.form.remove();
    flagForm = null;
    rerender(key);
    if (returnFocus) {
      const known = messages.get(key);
      const button = known && known.element.querySelector(".message-flag-button");
      if (button) {
        button.focus();
      }
    }
  }

  async function sendFlag(key, form) {
    const select = form.elements.reason;
    const note = form.elements.note;
    const submit = form.querySelector("button[type=submit]");
    const error = form.querySelector(".flag-error");
    const showError = (text, control = null) => {
      error.textContent = text;
      error.hidden = false;
      if (control) {
        control.setAttribute("aria-invalid", "true");
        control.focus();
      }
    };
    error.hidden = true;
    select.removeAttribute("aria-invalid");
    note.removeAttribute("aria-invalid");
    if (!select.value) {
      showError(t("flagNeedReason"), select);
      return;
    }
    if (select.value === "other" && !note.value.trim()) {
      showError(t("flagNeedNote"), note);
      return;
    }
    if (submit.disabled) {
      return;
    }
    submit.disabled = true;
    form.setAttribute("aria-busy", "true");
    const payload = { message_id: Number(key), reason: select.value };
    if (note.value.trim()) {
      payload.note = note.value.trim();
    }
    let answer = null;
    try {
      answer = await request("flag", payload);
    } catch (failure) {
      answer = null;
    }
    submit.disabled = false;
    form.setAttribute("aria-busy", "false");
    if (answer && answer.ok) {
      flagged.set(key, t("flagThanks"));
      const hadFocus = form.contains(document.activeElement);
      if (flagForm && flagForm.form === form) {
        flagForm = null;
      }
      form.remove();
      rerender(key);
      const known = messages.get(key);
      if (hadFocus && known) {
        known.element.focus({ preventScroll: true });
      }
      return;
    }
    const message = answer && answer.error && answer.error.message;
    showError(message || t("flagFailed"));
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
    const flagButton = event.target.closest(".message-flag-button");
    if (flagButton) {
      const item = flagButton.closest(".message");
      if (flagForm && flagForm.messageId === item.dataset.messageId) {
        closeFlagForm(true);
      } else {
        openFlagForm(item.dataset.messageId);
      }
      return;
    }
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
    updateStaffComposer();
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
    return canWrite && !stopped && sessionState === "live" && !isMuted() && !facilitation.waitingForFloor();
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
    root.dataset.floor = facilitation.waitingForFloor() ? "waiting" : (facilitation.holdsFloor() ? "mine" : "");
    if (!open && !stopped && canWrite && sessionState === "live" && isMuted()) {
      setComposerNote(t("mutedUntil", { time: formatTime(mutedUntil) }));
    } else if (!open && !stopped && canWrite && sessionState === "live" && facilitation.waitingForFloor()) {
      setComposerNote(facilitation.waitingNote());
    } else if (!open && !stopped) {
      const closed = t("composerClosed" + capitalised(sessionState)) || t("composerClosed");
      setComposerNote(closed);
    } else if (!open) {
      setComposerNote("");
    } else if (!sending && !pending.length && socket.connected) {
      setComposerNote(facilitation.openComposerNote());
    }
  }

  function setComposerNote(text) {
    if (composerNote && composerNote.textContent !== text) {
      composerNote.textContent = text;
    }
  }

  function showComposerError(text, code = "") {
    composerError.textContent = text;
    composerError.dataset.code = code;
    composerError.hidden = false;
  }

  function clearComposerError() {
    composerError.hidden = true;
    composerError.textContent = "";
    composerError.dataset.code = "";
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
        setComposerNote(facilitation.openComposerNote());
        upsert(answer.message);
        scrollToBottom();
      } else {
        const error = (answer && answer.error) || {};
        if (error.code === "muted") {
          setMuted(error.until);
          const until = parseDate(error.until);
          showComposerError(until ? t("mutedUntil", { time: formatTime(until) }) : error.message || t("muted"));
        } else if (error.code === "not_your_turn") {
          showComposerError(t("notYourTurn"), "not_your_turn");
        } else if (error.code === "session_not_live") {
          showComposerError(t("sessionNotLive"));
        } else {
          showComposerError(error.message || t("sendFailed"));
        }
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

  // --- The staff back-channel ------------------------------------------------------------

  function isStaffNearBottom() {
    return !staffScroller
      || staffScroller.scrollHeight - staffScroller.scrollTop - staffScroller.clientHeight < NEAR_BOTTOM_PX;
  }

  function scrollStaffToBottom() {
    if (staffScroller) {
      staffScroller.scrollTop = staffScroller.scrollHeight;
    }
  }

  function staffComposerOpen() {
    // The server takes messages, staff ones included, only while the session is live.
    return Boolean(staffForm) && !stopped && sessionState === "live";
  }

  function updateStaffComposer() {
    if (!staffForm) {
      return;
    }
    const open = staffComposerOpen();
    staffInput.disabled = !open;
    staffSend.disabled = !open || staffSending;
    staffInput.readOnly = staffSending;
    const note = open || stopped ? (staffSending ? t("sending") : "") : t("staffClosed");
    if (staffNote.textContent !== note) {
      staffNote.textContent = note;
    }
  }

  function showStaffError(text) {
    staffError.textContent = text;
    staffError.hidden = !text;
  }

  /** Send to the staff channel. A message that got no answer keeps its client_id, so sending
      the same text again cannot store it twice. */
  async function sendStaffMessage() {
    if (staffSending || !staffComposerOpen()) {
      return;
    }
    const body = staffInput.value;
    if (!body.trim()) {
      showStaffError(t("empty"));
      return;
    }
    if (body.length > maxChars) {
      showStaffError(t("tooLong", { max: maxChars }));
      return;
    }
    if (!socket.connected || !joined) {
      showStaffError(t("staffNotConnected"));
      return;
    }
    if (!staffAttempt || staffAttempt.body !== body) {
      staffAttempt = { client_id: newClientId(), body };
    }
    const attempt = staffAttempt;
    showStaffError("");
    staffSending = true;
    updateStaffComposer();
    let answer = null;
    try {
      answer = await request("send", {
        session_id: sessionId, client_id: attempt.client_id, body: attempt.body, channel: "staff",
      });
    } catch (failure) {
      answer = null;
    }
    staffSending = false;
    if (answer && answer.ok) {
      if (staffInput.value === attempt.body) {
        staffInput.value = "";
      }
      staffAttempt = null;
      upsert(answer.message);
      scrollStaffToBottom();
    } else if (!answer) {
      showStaffError(t("sendFailed") + " " + t("noAnswer"));
    } else {
      const error = answer.error || {};
      showStaffError(error.code === "session_not_live" ? t("staffClosed") : error.message || t("sendFailed"));
    }
    updateStaffComposer();
    if (document.activeElement === document.body && !staffInput.disabled) {
      staffInput.focus();
    }
  }

  if (staffForm) {
    staffForm.addEventListener("submit", (event) => {
      event.preventDefault();
      sendStaffMessage();
    });
    staffInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        sendStaffMessage();
      }
    });
    staffInput.addEventListener("input", () => {
      if (!staffError.hidden) {
        showStaffError("");
      }
    });
  }

  setConnection("connecting");
  setMuted(root.dataset.mutedUntil || null);
  updateComposer();
  updateStaffComposer();
}
