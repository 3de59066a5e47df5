// Searching the session's messages the reader may see (docs/protocol.md, `search`): a form
// that works as plain text, newest first; each result links to the message in the list.
// Sentences come from t(), already translated.

import { el } from "../common.js";
import { excerptOf } from "./render.js";

/** options: { t, sessionId, request, form, input, results, status, focusMessage(id) } */
export function createSearch({ t, sessionId, request, form, input, results, status, focusMessage }) {
  if (!form) {
    return null;
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const query = input.value.trim();
    results.replaceChildren();
    if (!query) {
      status.textContent = "";
      return;
    }
    status.textContent = t("searching");
    const answer = await request("search", { session_id: sessionId, q: query });
    if (!answer || !answer.ok) {
      status.textContent = (answer && answer.error && answer.error.message) || t("actionFailed");
      return;
    }
    const found = answer.messages || [];
    status.textContent = found.length ? t("searchFound", { count: found.length }) : t("searchNone");
    for (const message of found) {
      const item = el("li", "search-result");
      const link = el("a", "search-result-link", ((message.author || {}).name || "") + ": " + excerptOf(message));
      link.href = "#message-" + encodeURIComponent(String(message.id));
      link.addEventListener("click", (clicked) => {
        if (focusMessage(message.id)) {
          clicked.preventDefault();
        }
      });
      item.append(link);
      results.append(item);
    }
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      input.value = "";
      results.replaceChildren();
      status.textContent = "";
    }
  });
  return {};
}
