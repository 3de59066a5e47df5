// Helpers shared by the pages' entry modules (room.js and queue.js): translated sentences
// read from data-i18n-* attributes, dates and times in the page's language and the reader's
// time zone, a small DOM builder, and the Socket.IO side of a page: the connection, acknowledged requests with a
// timeout, the connection status line and the reconnect life cycle (docs/protocol.md).
// Like the pages, this module holds no user-visible text, and text goes into the page with
// textContent only.

import { io } from "../vendor/socket.io-client/socket.io.esm.min.js";

/** The mute durations staff choose from, in minutes (the longest: until further notice, 7 days). */
export const MUTE_CHOICES = [5, 10, 30, 7 * 24 * 60];
/** How long a request waits for its acknowledgement. */
export const ACK_TIMEOUT_MS = 10000;
/** How long to wait before trying again after a request got no answer. */
export const RETRY_DELAY_MS = 2000;

// --- Translated text -------------------------------------------------------------------

/** A t(key, values) reading root's data-i18n-<key> (key in camelCase), {placeholders} filled. */
export function translator(root) {
  return function t(key, values = {}) {
    const name = "i18n" + key.charAt(0).toUpperCase() + key.slice(1);
    const template = root.dataset[name] ?? "";
    return template.replace(/\{(\w+)\}/g, (whole, field) =>
      Object.prototype.hasOwnProperty.call(values, field) ? String(values[field]) : whole);
  };
}

/**
 * A tn(key, count, values) for sentences with plural forms: the page renders each form of the
 * language as data-i18n-<key>-<category> (CLDR categories: one, few, many, other), and the
 * browser's Intl.PluralRules picks the one for count; {count} and the values are filled.
 */
export function pluralTranslator(root) {
  const t = translator(root);
  const rules = new Intl.PluralRules(document.documentElement.lang || "en");
  return function tn(key, count, values = {}) {
    const filled = { ...values, count };
    return t(key + capitalised(rules.select(count)), filled) || t(key + "Other", filled);
  };
}

/** "live" -> "Live", for data-i18n keys. */
export function capitalised(word) {
  return String(word || "").charAt(0).toUpperCase() + String(word || "").slice(1);
}

/** "identifying_info" -> "IdentifyingInfo", for data-i18n keys. */
export function keyPart(word) {
  return String(word || "").split(/[_\-\s]+/).filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join("");
}

// --- Dates and times -------------------------------------------------------------------

/** A Date from an ISO string, or null when there is none or it does not parse. */
export function parseDate(value) {
  if (!value) {
    return null;
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The page's language and time zone, as the server chose them: <html lang> and
    <html data-time-zone> (the account's zone, else the session's, else UTC). */
export function pageLocale() {
  const root = document.documentElement;
  return { locale: root.lang || undefined, timeZone: root.dataset.timeZone || undefined };
}

/** An Intl.DateTimeFormat, falling back to the browser's zone if the named one is unknown. */
function dateTimeFormat(locale, options, timeZone) {
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone });
  } catch (error) {
    if (error instanceof RangeError) {
      return new Intl.DateTimeFormat(locale, options);
    }
    throw error;
  }
}

/**
 * Time formats for one locale and time zone (undefined: the page's, see pageLocale()):
 * formatTime(date) is "14:05" today and "3 May, 14:05" on another day (days counted in that
 * zone); fullDate(date) is the long form with the zone, for titles; dayKey(date) names the
 * day in that zone and formatDay(date) says it in full, for day separators. They match the
 * times the server writes into the page.
 */
export function dateFormats(locale, timeZone) {
  const page = pageLocale();
  const lang = locale ?? page.locale;
  const zone = timeZone ?? page.timeZone;
  const timeFormat = dateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" }, zone);
  const dayTimeFormat = dateTimeFormat(lang, {
    day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  }, zone);
  const fullDateFormat = dateTimeFormat(lang, {
    weekday: "long", year: "numeric", month: "long", day: "numeric",
    hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "shortOffset",
  }, zone);
  const dayFormat = dateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit" }, zone);
  const longDayFormat = dateTimeFormat(lang, { weekday: "long", year: "numeric", month: "long", day: "numeric" }, zone);

  function formatTime(date) {
    const sameDay = dayFormat.format(date) === dayFormat.format(new Date());
    return sameDay ? timeFormat.format(date) : dayTimeFormat.format(date);
  }

  return {
    formatTime,
    fullDate: (date) => fullDateFormat.format(date),
    dayKey: (date) => dayFormat.format(date),       // "2026-12-04" in that zone
    formatDay: (date) => longDayFormat.format(date), // "Friday, 4 December 2026"
  };
}

// --- The page --------------------------------------------------------------------------

/** A new element with an optional class and text (set as textContent). */
export function el(tag, className = "", text = null) {
  const element = document.createElement(tag);
  if (className) {
    element.className = className;
  }
  if (text !== null) {
    element.textContent = text;
  }
  return element;
}

/** Fill a notice box with one sentence and an optional link after it, and show it. */
export function showNotice(box, text, link = null, linkText = "") {
  const paragraph = el("p", "", text);
  if (link) {
    paragraph.append(" ");
    const anchor = el("a", "", linkText);
    anchor.href = link;
    paragraph.append(anchor);
  }
  box.replaceChildren(paragraph);
  box.hidden = false;
}

/** Hide and empty a notice box. */
export function hideNotice(box) {
  box.hidden = true;
  box.replaceChildren();
}

// --- Socket.IO -------------------------------------------------------------------------

/** Connect to the server (websocket first, long polling where that is blocked). */
export function openSocket() {
  return io({ transports: ["websocket", "polling"] });
}

/** A request(event, payload) for a socket: an acknowledged emit that resolves to the answer
    and rejects on timeout or disconnect. */
export function requester(socket) {
  return (event, payload) => socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
}

/** A setConnection(state) writing "connecting", "connected", "reconnecting" or
    "disconnected" to the status element (data-state and its translated text). */
export function statusLine(element, t) {
  return function setConnection(state) {
    if (element.dataset.state === state) {
      return;
    }
    element.dataset.state = state;
    element.textContent = t(state);
  };
}

/**
 * Follow a socket's life cycle on the status line, as the protocol asks: reconnect by
 * ourselves after a lost connection, but not after the server dropped us on purpose.
 *
 * hooks: { isStopped(), setConnection(state), onConnect(), onServerDisconnect(),
 *          onUnauthorized(), onDisconnect(reason)?, onReconnecting()? }
 */
export function superviseSocket(socket, hooks) {
  socket.on("connect", () => {
    hooks.setConnection("connected");
    hooks.onConnect();
  });

  socket.on("disconnect", (reason) => {
    if (hooks.onDisconnect) {
      hooks.onDisconnect(reason);
    }
    if (hooks.isStopped()) {
      hooks.setConnection("disconnected");
      return;
    }
    if (reason === "io server disconnect") {
      hooks.onServerDisconnect();
      return;
    }
    hooks.setConnection("reconnecting");
    if (hooks.onReconnecting) {
      hooks.onReconnecting();
    }
  });

  socket.io.on("reconnect_attempt", () => {
    if (!hooks.isStopped()) {
      hooks.setConnection("reconnecting");
    }
  });

  socket.on("connect_error", (error) => {
    if (error && error.data && error.data.code === "unauthorized") {
      hooks.onUnauthorized();
      return;
    }
    if (!hooks.isStopped()) {
      hooks.setConnection("reconnecting");
    }
  });
}

/** Disconnect for good: no more reconnecting. */
export function closeSocket(socket) {
  socket.io.opts.reconnection = false;
  socket.disconnect();
}
