// The room's messages as this page knows them, by id (docs/protocol.md, "Core events"):
// every message of both channels with the element that shows it. A message's seq grows
// with each change to it (sent, approved, hidden, redacted), so a change is taken only when
// its seq is higher than the one already known; the same change arriving twice (an
// acknowledgement and its broadcast, a replay after a reconnect) or an older one is ignored.

/** The highest seq among a list of messages (0 for none). */
export function highestSeqIn(items) {
  let highest = 0;
  for (const item of items || []) {
    if (item && Number.isInteger(item.seq) && item.seq > highest) {
      highest = item.seq;
    }
  }
  return highest;
}

/** The store for one session's messages. */
export function createStore(sessionId) {
  const messages = new Map(); // String(message id) -> { data, element }

  /** The entry { data, element } of a message id, if known. */
  function get(id) {
    return messages.get(String(id));
  }

  /** Whether a message id is known. */
  function has(id) {
    return messages.has(String(id));
  }

  /** Every entry { data, element }. */
  function entries() {
    return messages.values();
  }

  /** Whether a message is news: of this session, well-formed, and newer than what we have. */
  function isNews(message) {
    if (!message || message.session_id !== sessionId || message.id === undefined || message.id === null) {
      return false;
    }
    if (!Number.isInteger(message.seq)) {
      return false;
    }
    const known = messages.get(String(message.id));
    return !(known && known.data.seq >= message.seq);
  }

  /** Keep a message (its newest version) and the element that shows it. */
  function put(message, element) {
    messages.set(String(message.id), { data: message, element });
  }

  /** The highest seq of any known message (0 for none). */
  function highestSeq() {
    let highest = 0;
    for (const { data } of messages.values()) {
      highest = Math.max(highest, data.seq);
    }
    return highest;
  }

  return {
    get, has, entries, isNews, put, highestSeq,
    get size() {
      return messages.size;
    },
  };
}
