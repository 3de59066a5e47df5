// The review queue's recently decided list (docs/protocol.md, `undo`): what was approved,
// rejected or redacted in the last few minutes, newest first, whoever decided it. An approval
// or a rejection can be undone from here until its window closes; the item then returns to
// the queue above. Text comes from t() and goes in with textContent only.

import { el, keyPart, parseDate } from "./common.js";

const UNDOABLE = new Set(["approved", "rejected"]);
const CLOSED = new Set(["approved", "rejected", "redacted"]);

/**
 * options: { t, request, formatTime, list, empty, announce, onUndone(item) }
 */
export function createRecent({ t, request, formatTime, list, empty, announce, onUndone }) {
  const entries = new Map(); // String(item id) -> { item, element, timer }
  let minutes = 5;

  function setMinutes(value) {
    if (Number.isInteger(value) && value > 0) {
      minutes = value;
    }
  }

  function deadline(item) {
    const decided = parseDate(item.decided_at);
    return decided ? decided.getTime() + minutes * 60000 : 0;
  }

  function describe(item) {
    const name = (item.decided_by && item.decided_by.name) || t("someone");
    const author = ((item.message || {}).author || {}).name || "";
    return t("decided" + keyPart(item.status), { name, author });
  }

  function refreshEmpty() {
    empty.hidden = entries.size > 0;
  }

  function remove(id) {
    const entry = entries.get(id);
    if (entry) {
      window.clearTimeout(entry.timer);
      entry.element.remove();
      entries.delete(id);
      refreshEmpty();
    }
  }

  /** A queue item as it now is: decided ones are listed (or updated), open ones leave. */
  function note(item) {
    const id = String(item.id);
    if (!CLOSED.has(item.status) || !item.decided_at) {
      remove(id);
      return;
    }
    const ends = deadline(item);
    if (ends <= Date.now()) {
      remove(id);
      return;
    }
    remove(id);
    const element = el("li", "queue-recent-item");
    element.dataset.itemId = id;
    const decided = parseDate(item.decided_at);
    element.append(el("span", "queue-recent-text", describe(item)), " ",
      el("span", "muted", decided ? formatTime(decided) : ""));
    const error = el("span", "queue-recent-error");
    error.setAttribute("role", "alert");
    if (UNDOABLE.has(item.status)) {
      const undo = el("button", "button button-small", t("undo"));
      undo.type = "button";
      undo.setAttribute("aria-label", t("undoLabel", { text: describe(item) }));
      undo.addEventListener("click", () => takeBack(item, undo, error));
      element.append(" ", undo);
    }
    element.append(" ", error);
    list.prepend(element);
    // Gone once it can no longer be undone (a redaction: after the same few minutes).
    const timer = window.setTimeout(() => remove(id), Math.min(ends - Date.now(), 2147483000));
    entries.set(id, { item, element, timer });
    refreshEmpty();
  }

  async function takeBack(item, button, error) {
    button.disabled = true;
    error.textContent = "";
    let answer = null;
    try {
      answer = await request("undo", { item_id: item.id });
    } catch (failure) {
      answer = null;
    }
    if (!answer || !answer.ok) {
      button.disabled = false;
      error.textContent = (answer && answer.error && answer.error.message) || t("noAnswer");
      return;
    }
    remove(String(item.id));
    announce.textContent = t("undone", { author: ((item.message || {}).author || {}).name || "" });
    onUndone(answer.item);
  }

  /** The `queue` answer's recent items (newest first) replace what is listed. */
  function load(items) {
    for (const id of [...entries.keys()]) {
      remove(id);
    }
    for (const item of [...items].reverse()) {
      note(item);
    }
  }

  return { note, load, setMinutes };
}
