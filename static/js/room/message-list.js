// The message lists on the page: the room's and, for facilitators and moderators, the staff
// channel's. Each list is an <ol aria-live="polite"> (the live region that reads new
// messages out) in its own scroller; the room's list has the "new messages below" button
// for readers who scrolled up. The messages put every message of the store into the list of
// its channel in the order they were written, and draw a changed message again in place.

import { rovingList } from "./roving.js";

const NEAR_BOTTOM_PX = 80;

/** Scroll to a message and put the keyboard on it; false when it is not on the page. */
export function focusMessage(id) {
  const target = document.getElementById("message-" + id);
  if (!target) {
    return false;
  }
  target.scrollIntoView({ block: "center" });
  target.focus({ preventScroll: true });
  return true;
}

/** A message drawn again keeps the keyboard where it was: on a control that moved with it
    (an open flag form), else on the message itself. */
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

function isMessage(node) {
  return Boolean(node && node.classList && node.classList.contains("message"));
}

function previousMessage(item) {
  let node = item.previousElementSibling;
  while (node && !isMessage(node)) {
    node = node.previousElementSibling;
  }
  return node;
}

function nextMessage(item) {
  let node = item.nextElementSibling;
  while (node && !isMessage(node)) {
    node = node.nextElementSibling;
  }
  return node;
}

/**
 * One list of messages in its scroller.
 *
 * elements: { list, scroller, empty, newMessages? } (newMessages: the "new messages below"
 * button, shown when a message arrives while the reader is scrolled up).
 * separators (optional): { dayKey(date), formatDay(date), phaseLabel(index) }: a separator
 * goes before the first message of each day (in the page's time zone) and of each phase.
 */
export function createMessageList({ list, scroller, empty, newMessages = null, separators = null }) {
  rovingList(list, scroller); // one Tab stop for the list, arrow keys within

  function writtenAt(item) {
    const time = item.querySelector(":scope > .message-meta time");
    const date = time ? new Date(time.dateTime) : null;
    return date && !Number.isNaN(date.getTime()) ? date : null;
  }

  /** The separators a message needs after the message before it: a new day, a new phase. */
  function separate(item) {
    if (!separators || !item) {
      return;
    }
    for (const old of list.querySelectorAll(`:scope > .list-separator[data-for="${CSS.escape(item.id)}"]`)) {
      old.remove();
    }
    const before = previousMessage(item);
    const marks = [];
    const date = writtenAt(item);
    const earlier = before ? writtenAt(before) : null;
    if (date && (!earlier || separators.dayKey(earlier) !== separators.dayKey(date))) {
      marks.push(["day", separators.formatDay(date)]);
    }
    const phase = item.dataset.phase;
    if (phase !== undefined && (!before || before.dataset.phase !== phase)) {
      marks.push(["phase", separators.phaseLabel(Number(phase))]);
    }
    for (const [kind, text] of marks) {
      // A heading inside the list item: screen readers announce it and can jump between days
      // and phases (a role=separator item would break the list).
      const mark = document.createElement("li");
      mark.className = "list-separator";
      mark.dataset.kind = kind;
      mark.dataset.for = item.id;
      mark.append(Object.assign(document.createElement("h3"), { className: "list-separator-label", textContent: text }));
      item.before(mark);
    }
  }
  /** Whether the reader is at (or near) the end of the list. */
  function isNearBottom() {
    return !scroller || scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
  }

  /** Scroll to the end of the list. */
  function scrollToBottom() {
    if (!scroller) {
      return;
    }
    scroller.scrollTop = scroller.scrollHeight;
    if (newMessages) {
      newMessages.hidden = true;
    }
  }

  /** Say that something new arrived below (the reader is scrolled up). */
  function showNewBelow() {
    if (newMessages) {
      newMessages.hidden = false;
    }
  }

  /** Insert a new message's element in the order the messages were written (by id). */
  function place(element, id) {
    let before = list.lastElementChild;
    while (before && (!isMessage(before) || Number(before.dataset.messageId) > Number(id))) {
      before = before.previousElementSibling;
    }
    if (before) {
      before.after(element);
    } else {
      list.prepend(element);
    }
    separate(element);
    separate(nextMessage(element));
  }

  /** Show the "no messages yet" note only while the list is empty. */
  function refreshEmpty() {
    if (empty) {
      empty.hidden = list.children.length > 0;
    }
  }

  /** Mark the live region busy while a join pages through history. */
  function setBusy(busy) {
    list.setAttribute("aria-busy", busy ? "true" : "false");
  }

  if (scroller && newMessages) {
    scroller.addEventListener("scroll", () => {
      if (isNearBottom()) {
        newMessages.hidden = true;
      }
    }, { passive: true });

    newMessages.addEventListener("click", () => {
      scrollToBottom();
      const last = list.lastElementChild;
      if (last) {
        last.focus({ preventScroll: true });
      }
    });
  }

  return { element: list, isNearBottom, scrollToBottom, showNewBelow, place, refreshEmpty, setBusy };
}

/**
 * The messages of both channels on the page.
 *
 * options: { store, renderer (room/render.js), lists: { room, staff|null },
 *            onAuthor(author), onChanged(key, message), onFlag(key), onReply(key) }
 * onChanged is called after a message was taken (a composer replying to it may follow),
 * onFlag and onReply when its Flag or Reply button is pressed.
 */
export function createMessages({ store, renderer, lists, translations, ownMessages, staffActions, onAuthor,
  onChanged, onFlag, onReply }) {
  /** Insert or replace a message by id. New messages are placed in the order they were
      written (by id); a change (approved, hidden, redacted) replaces the message where it
      is, so a moderation notice stays next to what it answered. */
  function upsert(message) {
    if (!store.isNews(message)) {
      return; // not ours, malformed, the same change again or an older one
    }
    const staffMessage = message.channel === "staff";
    if (staffMessage && !lists.staff) {
      return; // never into the room's list, whatever arrives
    }
    const key = String(message.id);
    if (message.translation_of !== null && message.translation_of !== undefined) {
      // An interpreter's translation: drawn under its original (room/translations.js).
      translations.place(message);
      if (message.author) {
        onAuthor(message.author);
      }
      return;
    }
    const known = store.get(key);
    const active = document.activeElement;
    const element = renderer.render(message);
    if (known) {
      known.element.replaceWith(element);
      keepFocus(active, known.element, element);
    } else {
      (staffMessage ? lists.staff : lists.room).place(element, message.id);
    }
    store.put(message, element);
    translations.adopt(key, element);
    if (message.author) {
      onAuthor(message.author);
    }
    lists.room.refreshEmpty();
    if (lists.staff) {
      lists.staff.refreshEmpty();
    }
    refreshRepliesTo(key);
    onChanged(key, message);
  }

  /** Take a list of messages (a page of history). */
  function upsertAll(items) {
    for (const item of items) {
      upsert(item);
    }
  }

  /** Draw one known message again in place (after a notice or a flag about it). */
  function rerender(key) {
    const known = store.get(key);
    if (!known) {
      return;
    }
    const active = document.activeElement;
    if (known.data.translation_of !== null && known.data.translation_of !== undefined) {
      translations.place({ ...known.data, seq: known.data.seq });
      return;
    }
    const element = renderer.render(known.data);
    known.element.replaceWith(element);
    keepFocus(active, known.element, element);
    known.element = element;
    translations.adopt(key, element);
  }

  /** The messages replying to this one say again what they reply to. */
  function refreshRepliesTo(key) {
    for (const { element } of store.entries()) {
      if (element && element.dataset.replyTo === key) {
        const link = element.querySelector(".message-reply-link");
        if (link) {
          link.textContent = renderer.replySummary(key);
        }
      }
    }
  }

  lists.room.element.addEventListener("click", (event) => {
    if (translations.onClick(event) || ownMessages?.onClick(event) || staffActions?.onClick(event)) {
      return;
    }
    const flagButton = event.target.closest(".message-flag-button");
    if (flagButton) {
      onFlag(flagButton.closest(".translation, .message").dataset.messageId);
      return;
    }
    const replyButton = event.target.closest(".message-reply-button");
    if (replyButton) {
      onReply(replyButton.closest(".message").dataset.messageId);
      return;
    }
    const link = event.target.closest(".message-reply-link");
    if (link && focusMessage(link.dataset.target)) {
      event.preventDefault();
    }
  });

  return { upsert, upsertAll, rerender };
}
