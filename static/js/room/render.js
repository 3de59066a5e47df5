// Drawing one message of the room or of the staff channel: author, side, role, time, the
// moderation marks, what it replies to, its body and (room messages) the Reply and Flag
// buttons. Names and other text from people go in with textContent; the one thing set as
// HTML is the body_html the server sanitized (dialogue/sanitize.py).

import { capitalised, el } from "../common.js";

const EXCERPT_CHARS = 80;

/** The translated name of a role ("facilitator" -> "Facilitator"), or the role itself. */
export function roleLabel(t, role) {
  return t("role" + capitalised(role)) || String(role || "");
}

/** The language's name in the page's language ("ru" -> "Russian"), or the code itself. */
export function languageName(t, code) {
  return t("language" + capitalised(String(code || ""))) || String(code || "");
}

/** Plain text of a message body, shortened. Parsed in an inert document: nothing runs or loads. */
export function excerptOf(message) {
  const parsed = new DOMParser().parseFromString(message.body_html || "", "text/html");
  const text = (parsed.body.textContent || "").replace(/\s+/g, " ").trim();
  const characters = Array.from(text);
  return characters.length > EXCERPT_CHARS ? characters.slice(0, EXCERPT_CHARS).join("") + "…" : text;
}

/**
 * The message renderer.
 *
 * options: { t, myId, canWrite, canFlag, store, flags, noticeKind(key), formatTime(date),
 *            fullDate(date), ownMessages (room/own-messages.js), staffActions
 *            (room/staff-actions.js, for staff only) }; flags tells whether a message was flagged and which flag
 *            form is open (room/flags.js), noticeKind the latest notice about my message.
 */
export function createRenderer({ t, myId, canWrite, canFlag, store, flags, noticeKind, formatTime, fullDate,
  ownMessages, staffActions }) {
  /** A new <li> for a message. */
  function render(message) {
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
    if (author.id !== undefined) {
      item.dataset.authorId = String(author.id);
    }

    const meta = el("p", "message-meta");
    meta.append(el("span", "message-author", author.name || ""));
    if (author.side) {
      meta.append(el("span", "message-side", author.side));
    }
    if (author.role === "facilitator" || author.role === "moderator") {
      meta.append(el("span", "message-role badge", roleLabel(t, author.role)));
    }
    const created = new Date(message.created_at);
    if (!Number.isNaN(created.getTime())) {
      const time = document.createElement("time");
      time.className = "message-time";
      time.dateTime = message.created_at;
      time.textContent = formatTime(created);
      time.title = fullDate(created);
      meta.append(time);
    }
    if (message.lang) {
      // Discreet: the language it is written in (the body's lang lets screen readers follow).
      const mark = el("abbr", "message-lang", String(message.lang).toUpperCase());
      mark.title = languageName(t, message.lang);
      meta.append(mark);
    }
    const own = item.classList.contains("message-own");
    if (message.edited_at && message.status !== "deleted") {
      const edited = el("span", "message-edited", t("edited"));
      edited.title = fullDate(new Date(message.edited_at));
      meta.append(edited);
    }
    if (message.status === "held") {
      meta.append(el("span", "message-flag badge", own ? t("awaitingReviewOwn") : t("awaitingReview")));
    }
    // Staff receive the text of a hidden message, to review it; it is marked as hidden.
    const staffSeesHidden = message.status === "hidden" && Boolean(message.body_html);
    if (staffSeesHidden) {
      meta.append(el("span", "message-hidden-mark badge", t("hiddenMark")));
    }
    item.append(meta);

    if (message.reply_to !== null && message.reply_to !== undefined) {
      item.dataset.replyTo = String(message.reply_to);
      item.append(renderReplyContext(message.reply_to));
    }

    const body = el("div", "message-body");
    if (message.lang) {
      body.lang = message.lang;
    }
    if (message.status === "hidden" && !staffSeesHidden) {
      body.classList.add("message-withheld");
      const kind = own ? noticeKind(String(message.id)) : "";
      body.textContent = kind === "rejected" ? t("ownRejected")
        : kind === "held" && message.edited_at ? t("ownEditAwaitingReview") : t("hiddenByModerators");
    } else if (message.status === "redacted") {
      body.classList.add("message-withheld");
      body.textContent = t("messageRemoved");
    } else if (message.status === "deleted") {
      body.classList.add("message-withheld");
      body.textContent = t("deletedByAuthor");
    } else {
      // The server's sanitized HTML (dialogue/sanitize.py): the one thing set as HTML.
      body.innerHTML = message.body_html || "";
    }
    item.append(body);

    if (message.channel === "staff") {
      return item; // the staff's own conversation: no replies, no flags
    }
    appendActions(item, message, own);
    return item;
  }

  /** The Reply and Flag buttons, an open flag form and the thanks for a flag. */
  function appendActions(item, message, own) {
    const author = message.author || {};
    const key = String(message.id);
    const flaggable = canFlag && message.status === "visible" && !own;
    const openForm = flags.formFor(key);
    const mine = [...(own && ownMessages ? ownMessages.buttons(message) : []),
      ...(staffActions ? staffActions.buttons(message) : [])];
    if (mine.length && message.status !== "visible") {
      const actions = el("div", "message-actions");
      actions.append(...mine);
      item.append(actions);
    }
    if ((canWrite || flaggable) && message.status === "visible") {
      const actions = el("div", "message-actions");
      actions.append(...mine);
      if (canWrite) {
        const button = el("button", "button-link message-reply-button", t("reply"));
        button.type = "button";
        button.setAttribute("aria-label", t("replyTo", { name: author.name || "" }));
        actions.append(button);
      }
      if (flaggable) {
        const button = el("button", "button-link message-flag-button");
        button.type = "button";
        if (flags.isFlagged(key)) {
          button.textContent = t("flagged");
          button.disabled = true;
        } else {
          button.textContent = t("flag");
          button.setAttribute("aria-label", t("flagMessageOf", { name: author.name || "" }));
          button.setAttribute("aria-expanded", openForm ? "true" : "false");
        }
        actions.append(button);
      }
      item.append(actions);
      if (flaggable && openForm) {
        item.append(openForm); // an open flag form survives the message changing
      }
      if (flaggable && flags.isFlagged(key)) {
        const thanks = el("span", "flag-result", flags.thanks(key));
        thanks.setAttribute("role", "status");
        item.append(thanks);
      }
    }
    if (openForm && !flaggable) {
      flags.forget(key); // the message can no longer be flagged (hidden, removed)
    }
  }

  function renderReplyContext(targetId) {
    const context = el("p", "message-reply");
    const link = el("a", "message-reply-link", replySummary(targetId));
    link.href = "#message-" + encodeURIComponent(String(targetId));
    link.dataset.target = String(targetId);
    context.append(link);
    return context;
  }

  /** "Replying to Ani: …", or a note that the message is unknown or no longer shown. */
  function replySummary(targetId) {
    const target = store.get(targetId);
    if (!target) {
      return t("replyingToUnknown");
    }
    if (target.data.status === "hidden" || target.data.status === "redacted") {
      return t("replyingToWithheld");
    }
    return t("replyingTo", { name: (target.data.author || {}).name || "", excerpt: excerptOf(target.data) });
  }

  return { render, replySummary };
}
