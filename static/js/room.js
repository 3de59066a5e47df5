// The live room's entry module (templates/room/room.html loads it): reads and writes one
// dialogue session over Socket.IO (docs/protocol.md, "Core events"), and its staff
// back-channel. It reads the page's settings from #room and wires the modules of ./room/:
//   connection.js    the socket: join and replay since_seq, retries, stopping for good
//   store.js         the messages by id, each at its newest change (seq)
//   message-list.js  the room's and the staff's lists: placing, scrolling, "new messages"
//   render.js        drawing one message;  flags.js  flagging one for the moderators
//   composer.js      writing: one composer for the room, one for the staff channel
//   notices.js       the state line, room notice, moderators' notices, mute, queue count
//   presence.js      who is here now
//   facilitation.js  phase, floor, balance, the facilitators' controls, my settings
// Everything shown comes from data attributes of #room, already translated by the server.
// Text from people goes into the page with textContent; the only HTML inserted is a
// message's body_html, which the server sanitized.

import { capitalised, dateFormats, parseDate, translator } from "./common.js";
import { createComposer } from "./room/composer.js";
import { createConnection } from "./room/connection.js";
import { startFacilitation } from "./room/facilitation.js";
import { createFlags } from "./room/flags.js";
import { createMessageList, createMessages } from "./room/message-list.js";
import { createNotices } from "./room/notices.js";
import { createPresence } from "./room/presence.js";
import { createRenderer, excerptOf } from "./room/render.js";
import { createStore } from "./room/store.js";

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
  const loginUrl = root.dataset.loginUrl;
  const homeUrl = root.dataset.homeUrl;

  const $ = (id) => document.getElementById(id);
  const t = translator(root);
  const { formatTime, fullDate } = dateFormats(undefined);
  let sessionState = root.dataset.initialState || "draft";
  let composer = null;      // the room's composer, for those who may write
  let staffComposer = null; // the staff channel's, for facilitators and moderators

  function updateComposers() {
    composer?.update();
    staffComposer?.update();
  }

  const store = createStore(sessionId);
  const presence = createPresence({ t, myId, list: $("presence"), count: $("presence-count") });

  const connection = createConnection({
    sessionId, t, statusElement: $("connection-status"), loginUrl, homeUrl,
    hooks: {
      disconnected: () => {
        facilitation.onDisconnected();
        presence.markStale();
      },
      reconnecting: () => composer?.onReconnecting(),
      stopped: (text, link, linkText) => {
        facilitation.stop();
        notices.showRoomNotice(text, link, linkText);
        presence.clear();
        updateComposers();
      },
      refusedForNow: (text) => notices.showRoomNotice(text),
      joinStarted: () => {
        roomList.setBusy(true);
        const wasAtBottom = roomList.isNearBottom() || store.size === 0;
        return () => {
          roomList.setBusy(false);
          updateComposers();
          if (wasAtBottom) {
            roomList.scrollToBottom();
          }
          staffList?.scrollToBottom();
        };
      },
      joined: (answer) => {
        notices.hideRoomNotice();
        if (answer.me && typeof answer.me === "object") {
          facilitation.applyMe(answer.me);
          if ("muted_until" in answer.me) {
            notices.setMuted(answer.me.muted_until);
          }
        }
        applySessionState(answer.session && answer.session.state);
        notices.showModerationMode(answer.session && answer.session.moderation);
        facilitation.applySession(answer.session);
      },
      absorb: (items) => messages.upsertAll(items),
      highestSeq: () => store.highestSeq(),
      synced: () => {
        composer?.onJoined();
        facilitation.onJoined();
        if (canModerate) {
          notices.loadQueueCount();
        }
      },
    },
  });
  const request = connection.request;

  const facilitation = startFacilitation({
    t, sessionId, myId, myRole, canManage, isStaff, request, formatTime, fullDate,
    onFloorChange: () => {
      // "Not your turn" is answered once the floor is mine.
      if (composer && facilitation.holdsFloor()) {
        composer.clearError("not_your_turn");
      }
      updateComposers();
    },
  });

  const notices = createNotices({
    root, t, formatTime, myRole, sessionId, store, request,
    rerender: (key) => messages.rerender(key),
    onMuteChange: () => composer?.update(),
    stateBanner: $("session-state"),
    roomNotice: $("room-notice"),
    noticeList: $("room-notices"),
    moderationNote: $("moderation-note"),
    queueCount: $("queue-link-count"),
  });

  // --- Messages ------------------------------------------------------------------------

  const roomList = createMessageList({
    list: $("messages"), scroller: $("messages-scroller"), empty: $("messages-empty"),
    newMessages: $("new-messages"),
  });
  const staffList = canStaffChannel && $("staff-messages") ? createMessageList({
    list: $("staff-messages"), scroller: $("staff-scroller"), empty: $("staff-empty"),
  }) : null;
  const flags = createFlags({ t, request, store, rerender: (key) => messages.rerender(key) });
  const renderer = createRenderer({
    t, myId, canWrite, canFlag, store, flags, formatTime, fullDate,
    noticeKind: (key) => notices.kindFor(key),
  });
  const messages = createMessages({
    store, renderer, lists: { room: roomList, staff: staffList },
    onAuthor: (author) => facilitation.learnNames([author]),
    onChanged: (key, message) => composer?.messageChanged(key, message),
    onFlag: (key) => flags.toggle(key),
    onReply: (key) => composer?.setReply(key),
  });

  function onLiveMessage(message) {
    if (!message || message.session_id !== sessionId) {
      return;
    }
    const staffMessage = message.channel === "staff";
    const list = staffMessage ? staffList : roomList;
    const atBottom = list ? list.isNearBottom() : true;
    messages.upsert(message);
    connection.sawLive(message.seq);
    if (staffMessage) {
      if (atBottom && list) {
        list.scrollToBottom();
      }
      return;
    }
    facilitation.refreshBalanceSoon();
    if (atBottom) {
      roomList.scrollToBottom();
    } else {
      roomList.showNewBelow();
    }
  }

  // --- Session state -------------------------------------------------------------------

  function applySessionState(state) {
    if (typeof state !== "string" || !state) {
      return;
    }
    sessionState = state;
    notices.showState(state);
    updateComposers();
  }

  // --- The composers -------------------------------------------------------------------

  function roomComposerOpen() {
    return canWrite && !connection.isStopped() && sessionState === "live" && !notices.isMuted()
      && !facilitation.waitingForFloor();
  }

  /** Why the room's composer is closed; null keeps the note (sending, or waiting to send). */
  function roomComposerNote({ open, sending, pending, connected }) {
    const stopped = connection.isStopped();
    const live = canWrite && sessionState === "live";
    if (!open && !stopped && live && notices.isMuted()) {
      return t("mutedUntil", { time: formatTime(notices.mutedTill()) });
    } else if (!open && !stopped && live && facilitation.waitingForFloor()) {
      return facilitation.waitingNote();
    } else if (!open && !stopped) {
      return t("composerClosed" + capitalised(sessionState)) || t("composerClosed");
    } else if (!open) {
      return "";
    } else if (!sending && !pending && connected) {
      return facilitation.openComposerNote();
    }
    return null;
  }

  function roomRefusal(answer) {
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

  const form = $("composer");
  if (form) {
    composer = createComposer({
      channel: "room", mode: "queue", t, sessionId, maxChars, connection,
      elements: {
        form, input: $("message-input"), send: $("send-button"), note: $("composer-note"),
        error: $("composer-error"), counter: $("char-counter"),
        reply: {
          box: $("reply-target"), text: $("reply-target-text"), cancel: $("reply-cancel"),
          lookup: (id) => store.get(id)?.data,
          describe: (data) => t("replyingTo", { name: (data.author || {}).name || "", excerpt: excerptOf(data) }),
        },
      },
      isOpen: roomComposerOpen,
      note: roomComposerNote,
      openNote: () => facilitation.openComposerNote(),
      refusal: roomRefusal,
      onSent: (message) => {
        messages.upsert(message);
        roomList.scrollToBottom();
      },
      onUpdate: ({ open, sending }) => {
        root.dataset.composer = open ? "open" : "closed";
        form.setAttribute("aria-busy", sending ? "true" : "false");
        root.dataset.floor = facilitation.waitingForFloor() ? "waiting" : (facilitation.holdsFloor() ? "mine" : "");
      },
    });
  }

  const staffForm = $("staff-composer");
  if (staffForm) {
    staffComposer = createComposer({
      channel: "staff", mode: "refuse", t, sessionId, maxChars, connection,
      elements: {
        form: staffForm, input: $("staff-input"), send: $("staff-send"), note: $("staff-note"),
        error: $("staff-error"),
      },
      // The server takes messages, staff ones included, only while the session is live.
      isOpen: () => !connection.isStopped() && sessionState === "live",
      note: ({ open, sending }) => (open || connection.isStopped() ? (sending ? t("sending") : "") : t("staffClosed")),
      openNote: () => "",
      refusal: (answer) => {
        if (!answer) {
          return { text: t("sendFailed") + " " + t("noAnswer") };
        }
        const error = answer.error || {};
        return { text: error.code === "session_not_live" ? t("staffClosed") : error.message || t("sendFailed") };
      },
      onSent: (message) => {
        messages.upsert(message);
        staffList?.scrollToBottom();
      },
    });
  }

  // --- Live events ---------------------------------------------------------------------

  connection.on("message", onLiveMessage);
  connection.on("message_updated", onLiveMessage);
  connection.on("session", (payload) => {
    if (payload && payload.session_id === sessionId) {
      applySessionState(payload.state);
      notices.showModerationMode(payload.moderation);
      facilitation.applySession(payload);
    }
  });
  connection.on("presence", (payload) => {
    if (payload && payload.session_id === sessionId && Array.isArray(payload.online)) {
      presence.render(payload.online);
      facilitation.learnNames(payload.online);
    }
  });
  connection.on("notice", (payload) => notices.onNotice(payload));
  connection.on("queue_item", (item) => notices.onQueueItem(item));

  connection.start();
  notices.setMuted(root.dataset.mutedUntil || null);
  updateComposers();
}
