// The live review queue (docs/protocol.md, "Moderation"): moderators, facilitators and admins
// read the open queue items of their sessions, decide them, and act on their authors.
// Everything this script shows comes from data attributes of #moderation-queue, already
// translated by the server. Text from people goes into the page with textContent; the only
// HTML inserted is a message's body_html, which the server sanitized. The helpers it shares
// with the room (translations, time formats, the Socket.IO connection) are in common.js.

import {
  MUTE_CHOICES, RETRY_DELAY_MS, closeSocket, dateFormats, el, hideNotice, keyPart, openSocket, parseDate,
  pluralTranslator, requester, showNotice, statusLine, superviseSocket, translator,
} from "./common.js";
import { askConfirmation } from "./confirm.js";
import { createRecent } from "./queue-recent.js";

const DISARM_MS = 6000;
const CLOSED_NOTE_MS = 10000;
const CLOSED_STATUSES = new Set(["approved", "rejected", "redacted"]);

const root = document.getElementById("moderation-queue");
if (root) {
  startQueue(root);
}

function startQueue(root) {
  const filterSessionId = root.dataset.sessionId || null;
  // Who I am in each session I serve (a member id differs from session to session).
  const myIds = new Map();

  /** Whether `person` (a member object of the item's session) is me. */
  function isMe(sessionId, person) {
    return Boolean(person) && person.id !== undefined && person.id !== null
      && myIds.get(String(sessionId)) === String(person.id);
  }
  const language = document.documentElement.lang || undefined;

  const $ = (id) => document.getElementById(id);
  const list = $("queue");
  const emptyNote = $("queue-empty");
  const loadingNote = $("queue-loading");
  const connectionStatus = $("connection-status");
  const queueError = $("queue-error");
  const announce = $("queue-announce");
  const figureWaiting = $("figure-waiting");
  const figureOldest = $("figure-oldest");
  const figureMedian = $("figure-median");
  const bulkForm = $("queue-bulk");
  const selectAll = $("queue-select-all");
  const selectedCount = $("queue-selected-count");
  const bulkReason = $("queue-bulk-reason");
  const bulkStatus = $("queue-bulk-status");

  // --- Translated text -----------------------------------------------------------------

  const t = translator(root);
  const tn = pluralTranslator(root);

  /** The translation of key + code, or the code itself when there is none. */
  function label(prefix, code) {
    return t(prefix + keyPart(code)) || String(code ?? "");
  }

  const { formatTime, fullDate } = dateFormats(language);
  const listFormat = typeof Intl.ListFormat === "function"
    ? new Intl.ListFormat(language, { style: "short", type: "unit" }) : null;

  function unitFormat(unit) {
    return new Intl.NumberFormat(language, { style: "unit", unit, unitDisplay: "short", maximumFractionDigits: 0 });
  }

  /** A duration in the reader's language: seconds, minutes, hours or days. */
  function formatDuration(seconds) {
    const value = Math.max(0, Number(seconds) || 0);
    if (value < 90) {
      return unitFormat("second").format(Math.round(value));
    }
    if (value < 90 * 60) {
      return unitFormat("minute").format(Math.round(value / 60));
    }
    if (value < 36 * 3600) {
      return unitFormat("hour").format(Math.round(value / 3600));
    }
    return unitFormat("day").format(Math.round(value / 86400));
  }

  function joinList(parts) {
    return listFormat ? listFormat.format(parts) : parts.join(", ");
  }

  function timeElement(value, className = "") {
    const date = parseDate(value);
    const element = document.createElement("time");
    if (className) {
      element.className = className;
    }
    if (date) {
      element.dateTime = value;
      element.textContent = formatTime(date);
      element.title = fullDate(date);
    }
    return element;
  }

  function button(className, text, data = {}) {
    const element = el("button", className, text);
    element.type = "button";
    for (const [key, value] of Object.entries(data)) {
      element.dataset[key] = value;
    }
    return element;
  }

  // --- State ---------------------------------------------------------------------------

  const items = new Map();     // String(item id) -> entry { data, element, parts..., busy }
  const versions = new Map();  // String(item id) -> the newest updated_at seen, open or closed
  const closing = new Map();   // String(item id) -> element of an item decided while we were on it
  let touched = new Set();     // items changed by live events since the last `queue` request
  let generation = 0;          // the newest `queue` request; older answers are dropped
  let loaded = false;
  let stopped = false;
  let figures = { waiting: 0, oldest_waiting: null, median_seconds_to_decision: null };

  // --- Connection ----------------------------------------------------------------------

  const socket = openSocket();
  const request = requester(socket);
  const setConnection = statusLine(connectionStatus, t);
  const recent = createRecent({
    t, request, formatTime, list: $("recent-list"), empty: $("recent-empty"), announce,
    onUndone: (item) => {
      if (item && item.id !== undefined) {
        touched.add(String(item.id));
        upsert(item);
        refreshPage();
      }
    },
  });

  superviseSocket(socket, {
    isStopped: () => stopped,
    setConnection,
    onConnect: () => requestQueue(),
    onServerDisconnect: () => stop(t("disconnectedByServer")),
    onUnauthorized: () => stop(t("signInAgain"), root.dataset.loginUrl, t("signIn")),
  });

  socket.on("removed", (payload) => {
    const reason = payload && payload.reason;
    if (reason === "logged_out" || reason === "account_deactivated") {
      stop(t("signInAgain"), root.dataset.loginUrl, t("signIn"));
    } else if (!payload || !payload.session_id) {
      stop(t("disconnectedByServer"));
    } else {
      // Removed from one session: the others may still be ours. Ask again.
      requestQueue();
    }
  });

  function stop(text, link = null, linkText = "") {
    stopped = true;
    closeSocket(socket);
    setConnection("disconnected");
    showQueueError(text, link, linkText);
    root.dataset.stopped = "true";
  }

  function showQueueError(text, link = null, linkText = "") {
    showNotice(queueError, text, link, linkText);
  }

  function hideQueueError() {
    hideNotice(queueError);
  }

  // --- Reading the queue -----------------------------------------------------------------

  /** Ask for the whole open queue; its answer replaces what we have, except for what live
   * events changed after we asked (those are newer than the answer). */
  async function requestQueue() {
    if (stopped || !socket.connected) {
      return;
    }
    const mine = ++generation;
    touched = new Set();
    let answer;
    try {
      answer = await request("queue", filterSessionId ? { session_id: filterSessionId } : {});
    } catch (error) {
      if (mine === generation && !stopped && socket.connected) {
        window.setTimeout(() => {
          if (mine === generation) {
            requestQueue();
          }
        }, RETRY_DELAY_MS);
      }
      return;
    }
    if (mine !== generation || stopped) {
      return; // a newer request is on its way
    }
    if (!answer || !answer.ok) {
      const error = (answer && answer.error) || {};
      showQueueError(t("queueFailed", { message: error.message || "" }));
      return;
    }
    hideQueueError();
    if (answer.me && typeof answer.me === "object") {
      for (const [sessionId, id] of Object.entries(answer.me)) {
        myIds.set(String(sessionId), String(id));
      }
    }
    const seen = new Set();
    for (const item of Array.isArray(answer.items) ? answer.items : []) {
      if (item && item.id !== undefined) {
        seen.add(String(item.id));
        upsert(item);
      }
    }
    recent.setMinutes(answer.undo_minutes);
    recent.load((Array.isArray(answer.recent) ? answer.recent : []).filter((item) => item && item.id !== undefined));
    for (const id of [...items.keys()]) {
      if (!seen.has(id) && !touched.has(id)) {
        removeItem(id, null);
      }
    }
    if (answer.figures && typeof answer.figures === "object") {
      figures = answer.figures;
    }
    if (answer.limited && typeof answer.limited === "object") {
      limitNotices.length = 0;
      for (const notices of Object.values(answer.limited)) {
        limitNotices.push(...(Array.isArray(notices) ? notices : []));
      }
      renderLimitNotices();
    }
    loaded = true;
    list.setAttribute("aria-busy", "false");
    refreshPage();
  }

  // --- Members who keep hitting a rate limit (the `queue` answer's `limited`, then live) ---
  const limitNotices = [];
  const limitsPanel = document.getElementById("queue-limits");
  const limitsList = document.getElementById("queue-limits-list");

  function renderLimitNotices() {
    limitNotices.sort((a, b) => String(b.at).localeCompare(String(a.at)));
    limitNotices.splice(20);
    limitsList.replaceChildren(...limitNotices.map((notice) => {
      const entry = document.createElement("li");
      const member = notice.member || {};
      const event = String(notice.event || "");
      entry.textContent = t("limitNotice", { name: member.name || "", event: t("limitEvent" + keyPart(event)) || event,
        time: notice.at ? String(notice.at).slice(11, 16) : "" });
      return entry;
    }));
    limitsPanel.hidden = limitNotices.length === 0;
  }

  // Events may have been lost between server processes (docs/protocol.md, `resync`): read
  // the whole queue again, as after a reconnect.
  socket.on("resync", () => requestQueue());

  socket.on("limit_notice", (notice) => {
    if (!notice || (filterSessionId && notice.session_id !== filterSessionId)) {
      return;
    }
    limitNotices.push(notice);
    renderLimitNotices();
  });

  socket.on("queue_item", (item) => {
    if (!item || item.id === undefined || item.id === null) {
      return;
    }
    if (filterSessionId && item.session_id !== filterSessionId) {
      return;
    }
    touched.add(String(item.id));
    upsert(item);
    refreshPage();
  });

  /** Insert, update or (once decided) remove one item; older news than we have is ignored. */
  function upsert(item) {
    const id = String(item.id);
    const known = versions.get(id);
    if (known && item.updated_at && known > item.updated_at) {
      return;
    }
    if (item.updated_at) {
      versions.set(id, item.updated_at);
    }
    recent.note(item);
    if (CLOSED_STATUSES.has(item.status)) {
      removeItem(id, item);
      return;
    }
    let entry = items.get(id);
    if (!entry) {
      entry = createEntry(id);
      items.set(id, entry);
      entry.data = item;
      placeInOrder(entry);
    } else {
      entry.data = item;
    }
    fillEntry(entry);
  }

  function orderKey(item) {
    return [String(item.created_at || ""), Number(item.id)];
  }

  function comesBefore(a, b) {
    const [ca, ia] = orderKey(a);
    const [cb, ib] = orderKey(b);
    return ca < cb || (ca === cb && ia < ib);
  }

  /** Oldest first, by the time the item entered the queue. */
  function placeInOrder(entry) {
    let after = null;
    for (const element of list.children) {
      const other = items.get(element.dataset.itemId);
      if (other && other !== entry && comesBefore(entry.data, other.data)) {
        after = element;
        break;
      }
    }
    list.insertBefore(entry.element, after);
  }

  /** Take a decided item off the list. If this page is still waiting for its own answer
   * about it, it stays (closed) until the answer comes, so an error can be shown beside it. */
  function removeItem(id, item) {
    const entry = items.get(id);
    if (!entry) {
      return;
    }
    items.delete(id);
    const selectedBefore = entry.checkbox.checked;
    const hadFocus = entry.element.contains(document.activeElement);
    const next = nextItemElement(entry.element);
    if (item && !entry.mine) {
      announceDecision(item);
    }
    if (entry.busy && item) {
      entry.data = item;
      fillEntry(entry);
      entry.element.classList.add("queue-item-closed");
      entry.element.setAttribute("aria-disabled", "true");
      closing.set(id, entry);
      setControlsDisabled(entry, true);
      entry.checkbox.checked = false;
    } else {
      entry.element.remove();
      if (hadFocus) {
        focusItem(next);
      }
    }
    if (selectedBefore) {
      updateSelection();
    }
  }

  function nextItemElement(element) {
    let next = element.nextElementSibling;
    while (next && !items.has(next.dataset.itemId)) {
      next = next.nextElementSibling;
    }
    if (next) {
      return next;
    }
    let previous = element.previousElementSibling;
    while (previous && !items.has(previous.dataset.itemId)) {
      previous = previous.previousElementSibling;
    }
    return previous;
  }

  /** After an item leaves, keyboard users continue with the next one. */
  function focusItem(element) {
    if (element) {
      element.focus();
    } else {
      $("queue-heading").setAttribute("tabindex", "-1");
      $("queue-heading").focus();
    }
  }

  /** Finish a closed item once our own answer about it arrived. */
  function finishClosing(entry, keepForError) {
    const id = String(entry.data.id);
    if (!closing.has(id)) {
      return;
    }
    if (!keepForError) {
      const hadFocus = entry.element.contains(document.activeElement);
      const next = nextItemElement(entry.element);
      closing.delete(id);
      entry.element.remove();
      if (hadFocus) {
        focusItem(next);
      }
      refreshPage();
      return;
    }
    window.setTimeout(() => {
      if (closing.get(id) === entry) {
        closing.delete(id);
        entry.element.remove();
        refreshPage();
      }
    }, CLOSED_NOTE_MS);
  }

  function announceDecision(item) {
    const key = "decided" + keyPart(item.status);
    const name = (item.decided_by && item.decided_by.name) || t("someone");
    const author = ((item.message || {}).author || {}).name || "";
    const text = t(key, { name, author });
    if (text) {
      announce.textContent = text;
    }
  }

  // --- One item ------------------------------------------------------------------------

  /** The parts of an item that stay while it is updated: what a moderator is typing, the
   * selection, an open "surrounding messages" and the focus survive live changes. */
  function createEntry(id) {
    const element = el("li", "queue-item");
    element.dataset.itemId = id;
    element.tabIndex = -1;
    const titleId = "queue-item-" + id + "-title";
    element.setAttribute("aria-labelledby", titleId);

    const head = el("div", "queue-item-head");
    const selectBox = el("div", "queue-item-select");
    const checkbox = document.createElement("input");
    checkbox.type = "checkbox";
    checkbox.className = "queue-select";
    checkbox.id = "queue-select-" + id;
    const selectLabel = el("label", "visually-hidden");
    selectLabel.htmlFor = checkbox.id;
    selectBox.append(checkbox, selectLabel);
    const info = el("div", "queue-item-info");
    info.id = titleId;
    head.append(selectBox, info);

    const awaiting = el("p", "queue-awaiting");
    awaiting.hidden = true;

    const grid = el("div", "queue-item-grid");
    const main = el("div", "queue-item-main");
    const message = el("div", "queue-message");
    const reasons = el("ul", "queue-reasons");
    const history = el("p", "queue-history");
    const context = el("details", "queue-context");
    const contextSummary = el("summary");
    const contextList = el("ol", "queue-context-list");
    context.append(contextSummary, contextList);
    main.append(message, reasons, history, context);

    const controls = el("div", "queue-controls");
    const reasonField = el("div", "queue-reason-field");
    const reasonInput = document.createElement("input");
    reasonInput.type = "text";
    reasonInput.className = "queue-reason-input";
    reasonInput.id = "queue-reason-" + id;
    reasonInput.name = "reason";
    reasonInput.maxLength = 1000;
    reasonInput.autocomplete = "off";
    const reasonLabel = el("label", "field-label", t("reasonLabel"));
    reasonLabel.htmlFor = reasonInput.id;
    const reasonHint = el("p", "field-hint", t("reasonHint"));
    reasonHint.id = "queue-reason-hint-" + id;
    const reasonError = el("p", "queue-reason-error");
    reasonError.id = "queue-reason-error-" + id;
    reasonError.hidden = true;
    reasonInput.setAttribute("aria-describedby", reasonHint.id);
    reasonField.append(reasonLabel, reasonHint, reasonInput, reasonError);

    const decisions = el("div", "queue-decisions");
    decisions.setAttribute("role", "group");
    decisions.setAttribute("aria-label", t("decideLegend"));
    const approve = button("button button-small button-primary", t("approve"), { action: "approve" });
    const reject = button("button button-small", t("reject"), { action: "reject" });
    const redact = button("button button-small button-danger", t("redact"), { action: "redact" });
    const escalate = button("button button-small", t("escalate"), { action: "escalate" });
    const claim = button("button button-small", t("claim"), { action: "claim" });
    decisions.append(approve, reject, redact, escalate, claim);

    const author = el("div", "queue-author-actions");
    author.setAttribute("role", "group");
    const authorLabel = el("p", "queue-author-label");
    authorLabel.id = "queue-author-" + id;
    author.setAttribute("aria-labelledby", authorLabel.id);
    const warn = button("button button-small", t("warn"), { sanction: "warn" });
    const muteLabel = el("label", "queue-mute-label", t("muteFor"));
    const muteMinutes = document.createElement("select");
    muteMinutes.id = "queue-mute-" + id;
    muteLabel.htmlFor = muteMinutes.id;
    for (const value of MUTE_CHOICES) {
      const option = document.createElement("option");
      option.value = String(value);
      option.textContent = value > 60 ? t("muteLongest") : t("muteMinutes", { minutes: value });
      muteMinutes.append(option);
    }
    muteMinutes.value = "10";
    const mute = button("button button-small", t("mute"), { sanction: "mute" });
    const remove = button("button button-small button-danger", t("remove"), { sanction: "remove" });
    const authorButtons = el("div", "queue-author-buttons");
    authorButtons.append(warn, muteLabel, muteMinutes, mute, remove);
    author.append(authorLabel, authorButtons);

    const status = el("p", "queue-item-status");
    status.setAttribute("role", "status");
    const error = el("p", "queue-item-error");
    error.setAttribute("role", "alert");
    error.hidden = true;

    controls.append(reasonField, decisions, author, status, error);
    grid.append(main, controls);
    element.append(head, awaiting, grid);

    return {
      element, checkbox, selectLabel, info, awaiting, message, reasons, history, context, contextSummary,
      contextList, reasonInput, reasonError, approve, reject, redact, escalate, claim, author, authorLabel,
      warn, mute, muteMinutes, remove, status, error, busy: false, mine: false, data: null,
    };
  }

  function fillEntry(entry) {
    const item = entry.data;
    const message = item.message || {};
    const author = message.author || {};
    const claimedBy = item.claimed_by;
    const claimedByMe = isMe(item.session_id, claimedBy);
    const awaiting = item.awaiting_confirmation;
    const proposedByMe = Boolean(awaiting) && isMe(item.session_id, awaiting.by);

    const element = entry.element;
    element.dataset.status = String(item.status || "pending");
    element.dataset.sessionId = String(item.session_id || "");
    element.dataset.messageId = String(message.id ?? "");
    element.classList.toggle("queue-item-escalated", item.status === "escalated");
    element.classList.toggle("queue-item-claimed", Boolean(claimedBy) && !claimedByMe);
    element.classList.toggle("queue-item-claimed-mine", Boolean(claimedByMe));
    element.classList.toggle("queue-item-awaiting", Boolean(awaiting));
    if (awaiting) {
      element.dataset.awaiting = String(awaiting.action || "");
    } else {
      delete element.dataset.awaiting;
    }

    entry.selectLabel.textContent = t("selectItem", { name: author.name || "" });

    // The line above the message: session, state, flags, age, who has it.
    const info = [];
    info.push(el("span", "queue-session", item.session_title || ""));
    const state = el("span", "badge queue-status", t("status" + keyPart(item.status)) || item.status);
    state.dataset.status = String(item.status || "");
    info.push(state);
    if (item.flag_count > 0) {
      info.push(el("span", "badge queue-flag-count", tn("flagCount", item.flag_count)));
    }
    const since = el("span", "queue-since");
    const sinceTime = timeElement(item.created_at);
    since.append(...splitAround(t("waitingSince", { time: "\u0000" }), sinceTime));
    info.push(since);
    if (claimedBy) {
      const claimed = el("span", "queue-claimed",
        claimedByMe ? t("claimedByYou") : t("claimedBy", { name: claimedBy.name || "" }));
      info.push(claimed);
    }
    entry.info.replaceChildren(...info);

    // Two-key rule: a rejection proposed by one moderator waits for another.
    if (awaiting) {
      const text = proposedByMe ? t("awaitingConfirmationYours")
        : t("awaitingConfirmation", { name: (awaiting.by && awaiting.by.name) || t("someone") });
      const parts = [el("strong", "", text)];
      if (awaiting.reason) {
        parts.push(" ", el("span", "", t("proposedReason", { reason: awaiting.reason })));
      }
      entry.awaiting.replaceChildren(...parts);
      entry.awaiting.hidden = false;
    } else {
      entry.awaiting.hidden = true;
      entry.awaiting.replaceChildren();
    }

    entry.message.replaceChildren(renderMessage(message, "queue-message-body"));
    if (item.original) {
      // A translation is judged beside what it translates.
      const original = el("div", "queue-original");
      original.append(el("p", "queue-original-label", t("translationOf")), renderMessage(item.original, "queue-original-body"));
      entry.message.append(original);
    }
    entry.reasons.replaceChildren(...renderReasons(item.reasons || []));
    entry.history.replaceChildren(...renderHistory(item.author_history));
    renderContext(entry, item);

    // Controls.
    entry.claim.dataset.action = claimedBy ? "release" : "claim";
    entry.claim.textContent = claimedBy ? t("release") : t("claim");
    entry.reject.textContent = awaiting && awaiting.action === "reject" && !proposedByMe
      ? t("confirmReject") : t("reject");
    entry.authorLabel.textContent = t("authorLegend", { name: author.name || "" });
    entry.author.hidden = author.id === undefined || isMe(item.session_id, author);
    setControlsDisabled(entry, entry.busy);
    entry.escalate.disabled = entry.busy || item.status === "escalated";
    entry.reject.disabled = entry.busy || Boolean(proposedByMe);
  }

  /** Split a sentence at the \0 placeholder and put a node there. */
  function splitAround(sentence, node) {
    const [before, after = ""] = sentence.split("\u0000");
    return [before, node, after].filter((part) => part !== "");
  }

  function setControlsDisabled(entry, disabled) {
    for (const control of [entry.approve, entry.reject, entry.redact, entry.escalate, entry.claim,
      entry.warn, entry.mute, entry.muteMinutes, entry.remove, entry.checkbox]) {
      control.disabled = disabled;
    }
    entry.element.setAttribute("aria-busy", disabled && entry.busy ? "true" : "false");
  }

  function renderMessage(message, bodyClass) {
    const author = message.author || {};
    const wrapper = document.createDocumentFragment();
    const meta = el("p", "message-meta");
    meta.append(el("span", "message-author", author.name || ""));
    if (author.side) {
      meta.append(el("span", "message-side", author.side));
    }
    if (author.role) {
      meta.append(el("span", "message-role badge", label("role", author.role)));
    }
    if (message.created_at) {
      meta.append(timeElement(message.created_at, "message-time"));
    }
    if (message.status && message.status !== "visible") {
      const status = el("span", "badge queue-message-status", label("message", message.status));
      status.dataset.status = message.status;
      meta.append(status);
    }
    const body = el("div", "message-body " + bodyClass);
    if (message.lang) {
      body.lang = message.lang;
    }
    if (message.status === "redacted" || !message.body_html) {
      body.classList.add("message-withheld");
      body.textContent = t("messageRemoved");
    } else {
      // The server's sanitized HTML (dialogue/sanitize.py): the one thing set as HTML.
      body.innerHTML = message.body_html;
    }
    wrapper.append(meta, body);
    return wrapper;
  }

  function renderReasons(reasons) {
    return reasons.map((reason) => {
      const item = el("li", "queue-reason");
      item.dataset.kind = String(reason.kind || "");
      if (reason.kind === "flag") {
        item.textContent = t("reasonFlag", {
          reason: label("flagReason", reason.reason), count: Number(reason.count) || 0,
        });
        item.dataset.reason = String(reason.reason || "");
      } else if (reason.kind === "flag_notes") {
        item.append(el("span", "", t("reasonFlagNotes")));
        const notes = el("ul", "queue-flag-notes");
        for (const note of Array.isArray(reason.notes) ? reason.notes : []) {
          notes.append(el("li", "", String(note)));
        }
        item.append(notes);
      } else if (reason.kind === "watched_word") {
        const values = {
          term: reason.term || "", action: label("wordAction", reason.action), matched: reason.matched || "",
        };
        item.textContent = reason.matched ? t("reasonWatchedWordMatched", values) : t("reasonWatchedWord", values);
        item.dataset.action = String(reason.action || "");
      } else if (reason.kind === "identifying_info") {
        const kinds = (Array.isArray(reason.found) ? reason.found : []).map((kind) => label("info", kind));
        item.textContent = t("reasonIdentifyingInfo", { kinds: joinList(kinds) });
      } else if (reason.kind === "premoderation") {
        item.textContent = t("reasonPremoderation");
      } else if (reason.kind === "staff") {
        item.textContent = t("reasonStaff");
      } else {
        item.textContent = String(reason.kind || "");
      }
      return item;
    });
  }

  function renderHistory(history) {
    if (!history || typeof history !== "object") {
      return [];
    }
    const parts = [];
    const counted = (counts) => Object.entries(counts || {})
      .filter(([, count]) => Number(count) > 0)
      .map(([what, count]) => t("historyCount", { count, what: label("history", what) }));
    const earlier = counted(history.items);
    const sanctions = counted(history.sanctions);
    if (earlier.length) {
      parts.push(t("historyItems", { list: joinList(earlier) }));
    }
    if (sanctions.length) {
      parts.push(t("historySanctions", { list: joinList(sanctions) }));
    }
    const nodes = [el("span", "queue-history-label", t("history")), " "];
    if (!parts.length && !history.muted_until) {
      nodes.push(el("span", "", t("historyNone")));
      return nodes;
    }
    nodes.push(el("span", "", parts.join(" · ")));
    if (history.muted_until) {
      const muted = parseDate(history.muted_until);
      if (parts.length) {
        nodes.push(" · ");
      }
      nodes.push(el("strong", "queue-history-muted",
        t("historyMutedUntil", { time: muted ? formatTime(muted) : history.muted_until })));
    }
    return nodes;
  }

  function renderContext(entry, item) {
    const around = Array.isArray(item.context) ? item.context : [];
    entry.contextSummary.textContent = t("context", { count: around.length });
    const all = [...around, { ...(item.message || {}), current: true }]
      .sort((a, b) => Number(a.id) - Number(b.id));
    if (!around.length) {
      entry.contextList.replaceChildren(el("li", "muted", t("contextNone")));
      return;
    }
    entry.contextList.replaceChildren(...all.map((message) => {
      const row = el("li", "queue-context-message");
      row.dataset.messageId = String(message.id);
      if (message.current) {
        row.classList.add("queue-context-current");
        row.append(el("p", "queue-context-this", t("contextThis")));
      }
      row.append(renderMessage(message, "queue-context-body"));
      return row;
    }));
  }

  function showItemError(entry, text) {
    entry.error.textContent = text;
    entry.error.hidden = false;
  }

  function clearItemFeedback(entry) {
    entry.error.hidden = true;
    entry.error.textContent = "";
    entry.status.textContent = "";
    entry.reasonError.hidden = true;
    entry.reasonError.textContent = "";
    entry.reasonInput.removeAttribute("aria-invalid");
    entry.reasonInput.setAttribute("aria-describedby", "queue-reason-hint-" + entry.element.dataset.itemId);
  }

  function requireReason(entry) {
    const reason = entry.reasonInput.value.trim();
    if (reason) {
      return reason;
    }
    entry.reasonError.textContent = t("reasonRequired");
    entry.reasonError.hidden = false;
    entry.reasonInput.setAttribute("aria-invalid", "true");
    entry.reasonInput.setAttribute("aria-describedby",
      "queue-reason-hint-" + entry.element.dataset.itemId + " " + entry.reasonError.id);
    entry.reasonInput.focus();
    return null;
  }

  function setBusy(entry, busy) {
    entry.busy = busy;
    if (items.get(String(entry.data.id)) === entry) {
      fillEntry(entry);
    } else {
      setControlsDisabled(entry, true);
    }
  }

  // --- Decisions -----------------------------------------------------------------------

  async function decide(entry, action) {
    clearItemFeedback(entry);
    let reason = entry.reasonInput.value.trim();
    const awaiting = entry.data.awaiting_confirmation;
    if (action === "reject" && !reason && awaiting && awaiting.action === "reject" && awaiting.reason
        && !isMe(entry.data.session_id, awaiting.by)) {
      // Confirming a colleague's proposal: their reason stands unless this moderator writes another.
      reason = awaiting.reason;
    }
    if ((action === "reject" || action === "redact") && !reason) {
      requireReason(entry);
      return;
    }
    if (action === "redact") {
      // Redacting cannot be undone: the page's dialog asks first (confirm.js).
      const name = ((entry.data.message || {}).author || {}).name || "";
      const confirmed = await askConfirmation({
        title: t("redactConfirmTitle"), text: t("redactConfirmText", { name }), confirmLabel: t("redact"),
        returnTo: entry.redact,
      });
      if (!confirmed) {
        return;
      }
    }
    const payload = { item_id: Number(entry.data.id), action };
    if (reason) {
      payload.reason = reason;
    }
    const answer = await send(entry, "decide", payload);
    if (!answer) {
      return;
    }
    if (answer.ok) {
      entry.reasonInput.value = "";
      if (answer.item) {
        if (answer.item.awaiting_confirmation && !CLOSED_STATUSES.has(answer.item.status)) {
          entry.status.textContent = t("doneRejectPending");
        }
        upsert(answer.item);
      }
      finishClosing(entry, false);
    }
    requestQueue();
  }

  async function claimOrRelease(entry, action) {
    clearItemFeedback(entry);
    const answer = await send(entry, action, { item_id: Number(entry.data.id) });
    if (answer && answer.ok && answer.item) {
      upsert(answer.item);
    }
  }

  async function sanction(entry, action, control) {
    clearItemFeedback(entry);
    const author = (entry.data.message || {}).author || {};
    const reason = requireReason(entry);
    if (reason === null) {
      disarm(entry);
      return;
    }
    if (action === "remove" && control.dataset.armed !== "true") {
      // Removing someone is hard to undo: the button asks to be pressed a second time.
      control.dataset.armed = "true";
      control.textContent = t("removeConfirm", { name: author.name || "" });
      window.clearTimeout(entry.disarmTimer);
      entry.disarmTimer = window.setTimeout(() => disarm(entry), DISARM_MS);
      return;
    }
    disarm(entry);
    const payload = {
      session_id: entry.data.session_id, member_id: author.id, action, reason,
    };
    if (action === "mute") {
      payload.minutes = Number(entry.muteMinutes.value);
    }
    const answer = await send(entry, "sanction", payload);
    if (!answer || !answer.ok) {
      return;
    }
    const name = author.name || "";
    if (action === "warn") {
      entry.status.textContent = t("doneWarn", { name });
    } else if (action === "mute") {
      const until = parseDate(answer.until);
      entry.status.textContent = t("doneMute", { name, time: until ? formatTime(until) : answer.until || "" });
    } else if (answer.pending) {
      entry.status.textContent = t("doneRemovePending", { name });
    } else {
      entry.status.textContent = t("doneRemove", { name });
    }
    requestQueue(); // the author's history changed
  }

  function disarm(entry) {
    window.clearTimeout(entry.disarmTimer);
    delete entry.remove.dataset.armed;
    entry.remove.textContent = t("remove");
  }

  /** One acknowledged request about an item; shows a refusal beside the item. */
  async function send(entry, event, payload) {
    entry.mine = true;
    setBusy(entry, true);
    let answer = null;
    try {
      answer = await request(event, payload);
    } catch (error) {
      answer = null;
    }
    setBusy(entry, false);
    entry.mine = false;
    if (!answer) {
      showItemError(entry, t("noAnswer"));
      finishClosing(entry, true);
      return null;
    }
    if (!answer.ok) {
      showItemError(entry, (answer.error && answer.error.message) || t("noAnswer"));
      finishClosing(entry, true);
    }
    return answer;
  }

  list.addEventListener("click", (event) => {
    const control = event.target.closest("button");
    if (!control || !list.contains(control) || control.disabled) {
      return;
    }
    const element = control.closest("li.queue-item");
    const entry = element && items.get(element.dataset.itemId);
    if (!entry || entry.busy) {
      return;
    }
    const action = control.dataset.action;
    if (action === "claim" || action === "release") {
      claimOrRelease(entry, action);
    } else if (action) {
      decide(entry, action);
    } else if (control.dataset.sanction) {
      sanction(entry, control.dataset.sanction, control);
    }
  });

  list.addEventListener("input", (event) => {
    if (event.target.classList.contains("queue-reason-input")) {
      const element = event.target.closest("li.queue-item");
      const entry = element && items.get(element.dataset.itemId);
      if (entry && !entry.reasonError.hidden && event.target.value.trim()) {
        entry.reasonError.hidden = true;
        entry.reasonInput.removeAttribute("aria-invalid");
      }
    }
  });

  list.addEventListener("keydown", (event) => {
    // Enter in a reason field does nothing by surprise: the decision is always a button.
    if (event.key === "Enter" && event.target.classList.contains("queue-reason-input")) {
      event.preventDefault();
    }
  });

  list.addEventListener("change", (event) => {
    if (event.target.classList.contains("queue-select")) {
      updateSelection();
    }
  });

  // --- Bulk decisions ------------------------------------------------------------------

  function selectedEntries() {
    return [...items.values()].filter((entry) => entry.checkbox.checked);
  }

  function updateSelection() {
    const selected = selectedEntries().length;
    selectedCount.textContent = selected ? t("selected", { count: selected }) : "";
    selectAll.checked = selected > 0 && selected === items.size;
    selectAll.indeterminate = selected > 0 && selected < items.size;
  }

  selectAll.addEventListener("change", () => {
    for (const entry of items.values()) {
      if (!entry.busy) {
        entry.checkbox.checked = selectAll.checked;
      }
    }
    updateSelection();
  });

  bulkForm.addEventListener("submit", (event) => event.preventDefault());

  bulkForm.addEventListener("click", async (event) => {
    const control = event.target.closest("button[data-bulk]");
    if (!control) {
      return;
    }
    const action = control.dataset.bulk;
    bulkStatus.hidden = true;
    bulkStatus.textContent = "";
    const chosen = selectedEntries();
    if (!chosen.length) {
      showBulkStatus(t("bulkNone"));
      return;
    }
    const reason = bulkReason.value.trim();
    if (action === "reject" && !reason) {
      showBulkStatus(t("reasonRequired"));
      bulkReason.focus();
      return;
    }
    for (const entry of chosen) {
      clearItemFeedback(entry);
      entry.mine = true;
      setBusy(entry, true);
    }
    control.disabled = true;
    let answer = null;
    try {
      const payload = { item_ids: chosen.map((entry) => Number(entry.data.id)), action };
      if (reason) {
        payload.reason = reason;
      }
      answer = await request("decide", payload);
    } catch (error) {
      answer = null;
    }
    control.disabled = false;
    for (const entry of chosen) {
      setBusy(entry, false);
      entry.mine = false;
    }
    if (!answer || !answer.ok) {
      const message = answer && answer.error && answer.error.message;
      showBulkStatus(message || t("noAnswer"), "error");
      for (const entry of chosen) {
        finishClosing(entry, false);
      }
      requestQueue();
      return;
    }
    let ok = 0;
    let proposed = 0;
    let failed = 0;
    const byId = new Map(chosen.map((entry) => [String(entry.data.id), entry]));
    for (const result of Array.isArray(answer.results) ? answer.results : []) {
      const entry = byId.get(String(result.item_id));
      if (result.ok) {
        if (result.item && result.item.awaiting_confirmation && !CLOSED_STATUSES.has(result.item.status)) {
          proposed += 1;
          if (entry) {
            entry.status.textContent = t("doneRejectPending");
          }
        } else {
          ok += 1;
        }
        if (result.item) {
          upsert(result.item);
        }
        if (entry) {
          finishClosing(entry, false);
        }
      } else {
        failed += 1;
        if (entry) {
          showItemError(entry, (result.error && result.error.message) || t("noAnswer"));
          finishClosing(entry, true);
        }
      }
    }
    if (!failed) {
      bulkReason.value = "";
    }
    const summary = ok || (!proposed && !failed) ? [t("bulkAllDone", { ok })] : [];
    if (proposed) {
      summary.push(t("bulkProposed", { count: proposed }));
    }
    if (failed) {
      summary.push(t("bulkFailed", { count: failed }));
    }
    showBulkStatus(summary.join(" "), failed ? "error" : "ok");
    updateSelection();
    refreshPage();
    requestQueue();
  });

  function showBulkStatus(text, kind = "error") {
    bulkStatus.textContent = text;
    bulkStatus.dataset.kind = kind;
    bulkStatus.hidden = false;
  }

  // --- Figures and the page as a whole --------------------------------------------------

  function refreshPage() {
    loadingNote.hidden = loaded;
    emptyNote.hidden = !loaded || items.size > 0;
    bulkForm.hidden = loaded && items.size === 0;
    renderFigures();
    updateSelection();
  }

  /** Waiting and oldest follow the list live; the median comes with each `queue` answer. */
  function renderFigures() {
    if (!loaded) {
      return;
    }
    figureWaiting.textContent = String(items.size);
    let oldest = null;
    for (const { data } of items.values()) {
      if (data.created_at && (oldest === null || data.created_at < oldest)) {
        oldest = data.created_at;
      }
    }
    const oldestDate = parseDate(oldest);
    if (oldestDate) {
      const age = (Date.now() - oldestDate.getTime()) / 1000;
      const time = timeElement(oldest);
      figureOldest.replaceChildren(...splitAround(t("ago", { time: "\u0000", age: formatDuration(age) }), time));
    } else {
      figureOldest.textContent = t("figureNone");
    }
    const median = figures.median_seconds_to_decision;
    figureMedian.textContent = median === null || median === undefined ? t("figureNotYet") : formatDuration(median);
    root.dataset.waiting = String(items.size);
  }

  window.setInterval(renderFigures, 30000);

  setConnection("connecting");
}
