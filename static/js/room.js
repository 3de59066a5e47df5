// The live room's entry module (templates/room/room.html loads it): reads and writes one
// dialogue session over Socket.IO (docs/protocol.md, "Core events"), and its staff
// back-channel. It reads the page's settings from #room and wires the modules of ./room/:
//   connection.js    the socket: join and replay since_seq, retries, stopping for good
//   store.js         the messages by id, each at its newest change (seq)
//   message-list.js  the room's and the staff's lists: placing, scrolling, "new messages"
//                    (with roving.js: one Tab stop per list, arrow keys within)
//   render.js        drawing one message;  flags.js  flagging one for the moderators
//   composer.js      writing to a channel: one composer, made twice by channels.js
//                    (the room's and the staff back-channel's)
//   notices.js       the state line, room notice, moderators' notices, mute, queue count
//   presence.js      who is here now
//   staff-actions.js the staff's Moderate panel on each message (hide, redact, warn, mute)
//   attention.js     unread count in the title, the unread divider, notifications and a
//                    chime for mentions, the floor and warnings
//   search.js        searching the session's messages
//   mention-complete.js  completing @names in the composer
//   own-messages.js  editing (within the window) and deleting one's own messages
//   translations.js  interpreters' translations under their originals, the reader's choice
//                    of which to see, the Translate and Correct forms, what is untranslated
//   facilitation.js  phase, floor, balance, the facilitators' controls, my settings
//                    (with phase.js, floor.js, balance.js, session-controls.js,
//                    my-settings.js and ui.js)
// Everything shown comes from data attributes of #room, already translated by the server.
// Text from people goes into the page with textContent; the only HTML inserted is a
// message's body_html, which the server sanitized.

import { dateFormats, pluralTranslator, translator } from "./common.js";
import { createAttention } from "./room/attention.js";
import { createRoomComposer, createStaffComposer } from "./room/channels.js";
import { createConnection } from "./room/connection.js";
import { startFacilitation } from "./room/facilitation.js";
import { createFlags } from "./room/flags.js";
import { createMentionCompletion } from "./room/mention-complete.js";
import { createMessageList, createMessages, focusMessage } from "./room/message-list.js";
import { createNotices } from "./room/notices.js";
import { createOwnMessages } from "./room/own-messages.js";
import { createPresence } from "./room/presence.js";
import { createRenderer } from "./room/render.js";
import { createSearch } from "./room/search.js";
import { createStaffActions } from "./room/staff-actions.js";
import { createStore } from "./room/store.js";
import { createTranslations } from "./room/translations.js";
import { createTyping } from "./room/typing.js";

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
  const canTranslate = root.dataset.canTranslate === "1";
  const loginUrl = root.dataset.loginUrl;
  const homeUrl = root.dataset.homeUrl;

  const $ = (id) => document.getElementById(id);
  const t = translator(root);
  const tn = pluralTranslator(root);
  const { formatTime, fullDate, dayKey, formatDay } = dateFormats(undefined);
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
        typing.clear();
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
          presence.setMe(answer.me);
          translations.setView(answer.me.translation_view, false);
          if ("muted_until" in answer.me) {
            notices.setMuted(answer.me.muted_until);
          }
        }
        applySessionState(answer.session && answer.session.state);
        notices.showModerationMode(answer.session && answer.session.moderation);
        facilitation.applySession(answer.session);
        typing.applySession(answer.session);
      },
      absorb: (items) => messages.upsertAll(items),
      highestSeq: () => store.highestSeq(),
      synced: () => {
        composer?.onJoined();
        facilitation.onJoined();
        translations.refreshPanel();
        if (canModerate) {
          notices.loadQueueCount();
        }
      },
    },
  });
  const request = connection.request;

  let attention = null;   // made below, once the message list exists
  let floorSeen = false;  // the first session state (from join) only tells what already was
  let hadFloor = false;
  const facilitation = startFacilitation({
    t, sessionId, myId, myRole, canManage, isStaff, request, formatTime, fullDate,
    phaseTitles: JSON.parse(root.dataset.phaseTitles || "[]"),
    onFloorChange: () => {
      const mine = facilitation.holdsFloor();
      // "Not your turn" is answered once the floor is mine.
      if (composer && mine) {
        composer.clearError("not_your_turn");
      }
      const given = mine && floorSeen && !hadFloor; // given while here, not held on arrival
      floorSeen = true;
      hadFloor = mine;
      updateComposers();
      if (given) {
        attention?.onFloorGiven();
      }
    },
  });

  const notices = createNotices({
    root, t, formatTime, myRole, sessionId, store, request,
    rerender: (key) => messages.rerender(key),
    onMuteChange: () => composer?.update(),
    onWarned: (text) => attention?.onWarned(text),
    stateBanner: $("session-state"),
    roomNotice: $("room-notice"),
    noticeList: $("room-notices"),
    moderationNote: $("moderation-note"),
    queueCount: $("queue-link-count"),
  });

  // --- Messages ------------------------------------------------------------------------

  // Separators for each new day (in the page's time zone) and each phase of the agenda.
  const separators = {
    dayKey, formatDay,
    phaseLabel: (index) => {
      const title = facilitation.phaseTitle(index);
      return title ? t("phaseSeparator", { n: index + 1, title }) : t("phaseSeparatorUntitled", { n: index + 1 });
    },
  };
  const roomList = createMessageList({
    list: $("messages"), scroller: $("messages-scroller"), empty: $("messages-empty"),
    newMessages: $("new-messages"), separators,
  });
  const staffList = canStaffChannel && $("staff-messages") ? createMessageList({
    list: $("staff-messages"), scroller: $("staff-scroller"), empty: $("staff-empty"), separators,
  }) : null;
  const flags = createFlags({ t, request, store, rerender: (key) => messages.rerender(key) });
  const ownMessages = createOwnMessages({
    t, request, editMinutes: Number.parseInt(root.dataset.editMinutes, 10) || 0,
    take: (message) => messages.upsert(message),
  });
  const staffActions = isStaff ? createStaffActions({
    t, request, sessionId, myId, queueUrl: root.dataset.queueUrl,
    take: (message) => messages.upsert(message),
  }) : null;
  const renderer = createRenderer({
    t, myId, canWrite, canFlag, store, flags, formatTime, fullDate, ownMessages, staffActions,
    noticeKind: (key) => notices.kindFor(key),
  });
  const translations = createTranslations({
    t, sessionId, myId, canTranslate, canFlag, flags, store, request,
    pageLanguage: document.documentElement.lang || "en",
    view: root.dataset.translationView,
    elements: {
      viewSelect: $("translation-view"), panel: $("untranslated"), panelLanguage: $("untranslated-lang"),
      panelList: $("untranslated-list"), panelEmpty: $("untranslated-empty"), panelMore: $("untranslated-more"),
    },
  });
  const messages = createMessages({
    store, renderer, translations, ownMessages, staffActions, lists: { room: roomList, staff: staffList },
    onAuthor: (author) => facilitation.learnNames([author]),
    onChanged: (key, message) => composer?.messageChanged(key, message),
    onFlag: (key) => flags.toggle(key),
    onReply: (key) => composer?.setReply(key),
  });

  attention = createAttention({
    t, myId, store, list: $("messages"), isNearBottom: () => roomList.isNearBottom(),
    notifyButton: $("notifications-button"), notifyState: $("notifications-state"), soundToggle: $("sound-toggle"),
  });
  createSearch({
    t, sessionId, request, form: $("search-form"), input: $("search-input"), results: $("search-results"),
    status: $("search-status"), focusMessage,
  });

  function onLiveMessage(message) {
    if (!message || message.session_id !== sessionId) {
      return;
    }
    const staffMessage = message.channel === "staff";
    const list = staffMessage ? staffList : roomList;
    const atBottom = list ? list.isNearBottom() : true;
    messages.upsert(message);
    attention.onMessage(message);
    connection.sawLive(message.seq);
    if (!staffMessage) {
      typing.onMessage(message);
    }
    if (staffMessage) {
      if (atBottom && list) {
        list.scrollToBottom();
      }
      return;
    }
    facilitation.refreshBalanceSoon();
    if (message.translation_of === null || message.translation_of === undefined) {
      translations.refreshPanelSoon();
    }
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

  // --- The composers: the room's and the staff channel's --------------------------------

  composer = createRoomComposer({
    root, t, sessionId, maxChars, canWrite, connection, store, notices, facilitation, formatTime,
    sessionState: () => sessionState,
    onSent: (message) => {
      messages.upsert(message);
      attention.onSent();
      typing.onSent();
      roomList.scrollToBottom();
    },
  });
  if (canWrite && $("mention-options")) {
    createMentionCompletion({
      input: $("message-input"), list: $("mention-options"), names: () => facilitation.otherMembers(),
    });
  }
  const typing = createTyping({
    t, tn, sessionId, myId, connection, input: canWrite ? $("message-input") : null, element: $("typing-indicator"),
    nameOf: (memberId) => facilitation.nameOf(memberId),
    canSay: () => canWrite && sessionState === "live" && !notices.isMuted() && !connection.isStopped(),
  });
  staffComposer = createStaffComposer({
    t, sessionId, maxChars, connection,
    sessionState: () => sessionState,
    onSent: (message) => {
      messages.upsert(message);
      staffList?.scrollToBottom();
    },
  });

  // --- Live events ---------------------------------------------------------------------

  connection.on("message", onLiveMessage);
  connection.on("message_updated", onLiveMessage);
  connection.on("session", (payload) => {
    if (payload && payload.session_id === sessionId) {
      applySessionState(payload.state);
      notices.showModerationMode(payload.moderation);
      facilitation.applySession(payload);
      typing.applySession(payload);
    }
  });
  connection.on("typing", (payload) => typing.onTyping(payload));
  connection.on("presence", (payload) => {
    if (payload && payload.session_id === sessionId && Array.isArray(payload.online)) {
      presence.render(payload.online);
      facilitation.learnNames(payload.online);
    }
  });
  connection.on("notice", (payload) => notices.onNotice(payload));
  connection.on("mention", (payload) => {
    if (payload && payload.session_id === sessionId) {
      attention.onMention(payload);
    }
  });
  connection.on("queue_item", (item) => notices.onQueueItem(item));

  connection.start();
  notices.setMuted(root.dataset.mutedUntil || null);
  updateComposers();
}
