// Interpreters' translations in the room (docs/protocol.md, "Interpreters"). A translation is
// a Message with `translation_of`: it is drawn under its original, marked as an
// interpretation with the interpreter's session name, and shown or not by the reader's
// choice (their language, all, none; kept in their profile with `preferences`). Interpreters
// (and staff) get a Translate button on each public message, a form that warns when the
// glossary's agreed form was not used, a Correct button on their own translations, and the
// list of recent messages not yet translated into a language, newest first.
// Sentences come from t(), already translated; text from people goes in with textContent,
// and the only HTML set is the body_html the server sanitized.

import { el } from "../common.js";
import { excerptOf, languageName } from "./render.js";

const LANGUAGES = ["en", "hy", "az", "ru"];

/**
 * options: { t, sessionId, myId, canTranslate, canFlag, flags (room/flags.js), pageLanguage,
 *            request(event, payload), store, view: "mine"|"all"|"none", elements: { viewSelect, panel, panelLanguage,
 *            panelList, panelEmpty, panelMore } }
 */
export function createTranslations({ t, sessionId, myId, canTranslate, canFlag, flags, pageLanguage, request, store,
  view, elements }) {
  let readerView = view || "mine";
  const waiting = new Map(); // original id -> [translation keys] that arrived before it
  let panelTimer = null;

  /** Whether this reader sees a translation: "mine" shows those into the page's language,
      those of one's own messages (to check how one was rendered) and one's own. */
  function shows(message) {
    if (readerView === "all") {
      return true;
    }
    if (readerView !== "mine") {
      return false;
    }
    const original = store.get(message.translation_of);
    const author = original && original.data.author;
    const mine = (who) => Boolean(who && String(who.id) === myId);
    return message.lang === pageLanguage || mine(author) || mine(message.author);
  }

  function containerOf(originalElement) {
    let box = originalElement.querySelector(":scope > .translations");
    if (!box) {
      box = el("div", "translations");
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", t("translationsOf"));
      const actions = originalElement.querySelector(":scope > .message-actions");
      if (actions) {
        actions.before(box);
      } else {
        originalElement.append(box);
      }
    }
    return box;
  }

  /** A translation's element, or null when nobody should see it (withheld with its original). */
  function render(message) {
    const author = message.author || {};
    const status = String(message.status || "visible");
    const staffSeesHidden = status === "hidden" && Boolean(message.body_html);
    if ((status === "hidden" && !staffSeesHidden) || status === "redacted") {
      return null;
    }
    const item = el("div", "translation");
    item.id = "message-" + message.id;
    item.tabIndex = -1;
    item.dataset.messageId = String(message.id);
    item.dataset.lang = String(message.lang || "");
    item.dataset.status = status;
    const own = author.id !== undefined && String(author.id) === myId;
    const meta = el("p", "translation-meta");
    meta.append(el("span", "translation-label", t("interpretationInto", { language: languageName(t, message.lang) })));
    meta.append(el("span", "translation-author", author.name || ""));
    if (message.edited_at) {
      meta.append(el("span", "translation-edited", t("corrected")));
    }
    if (status === "held") {
      meta.append(el("span", "message-flag badge", own ? t("awaitingReviewOwn") : t("awaitingReview")));
    }
    if (staffSeesHidden) {
      meta.append(el("span", "message-hidden-mark badge", t("hiddenMark")));
    }
    item.append(meta);
    const body = el("div", "message-body translation-body");
    if (message.lang) {
      body.lang = message.lang;
    }
    // The server's sanitized HTML (dialogue/sanitize.py): the one thing set as HTML.
    body.innerHTML = message.body_html || "";
    item.append(body);
    if (own && canTranslate && status !== "redacted") {
      const correct = el("button", "button-link translation-correct-button", t("correctTranslation"));
      correct.type = "button";
      item.append(correct);
    }
    appendFlag(item, message, own, status);
    item.hidden = !shows(message);
    return item;
  }

  /** Members flag a translation as they flag any message (room/flags.js keeps the form). */
  function appendFlag(item, message, own, status) {
    const key = String(message.id);
    const flaggable = canFlag && flags && status === "visible" && !own;
    if (!flaggable) {
      flags?.forget(key);
      return;
    }
    const button = el("button", "button-link message-flag-button");
    button.type = "button";
    if (flags.isFlagged(key)) {
      button.textContent = t("flagged");
      button.disabled = true;
    } else {
      button.textContent = t("flag");
      button.setAttribute("aria-label", t("flagMessageOf", { name: (message.author || {}).name || "" }));
      button.setAttribute("aria-expanded", flags.formFor(key) ? "true" : "false");
    }
    item.append(button);
    const form = flags.formFor(key);
    if (form) {
      item.append(form);
    }
    if (flags.isFlagged(key)) {
      const thanks = el("span", "flag-result", flags.thanks(key));
      thanks.setAttribute("role", "status");
      item.append(thanks);
    }
  }

  /** Draw a translation under its original (or keep it until the original arrives). */
  function place(message) {
    const key = String(message.id);
    const known = store.get(key);
    const element = render(message);
    if (known && known.element && known.element.isConnected) {
      if (element) {
        known.element.replaceWith(element);
      } else {
        known.element.remove();
      }
    } else if (element) {
      const original = store.get(message.translation_of);
      if (original && original.element) {
        containerOf(original.element).append(element);
      } else {
        const list = waiting.get(String(message.translation_of)) || [];
        list.push(key);
        waiting.set(String(message.translation_of), list);
      }
    }
    store.put(message, element);
    refreshPanelSoon();
  }

  /** After an original was drawn (again): bring its translations along. */
  function adopt(originalKey, element) {
    const keys = new Set(waiting.get(originalKey) || []);
    waiting.delete(originalKey);
    for (const entry of store.entries()) {
      if (entry.data.translation_of !== null && entry.data.translation_of !== undefined
          && String(entry.data.translation_of) === originalKey) {
        keys.add(String(entry.data.id));
      }
    }
    const ordered = [...keys].sort((a, b) => Number(a) - Number(b));
    for (const key of ordered) {
      const entry = store.get(key);
      if (entry && entry.element) {
        entry.element.hidden = !shows(entry.data);
        containerOf(element).append(entry.element);
      }
    }
    if (canTranslate && element.dataset.channel === "room" && element.dataset.status === "visible") {
      addTranslateButton(element);
    }
  }

  function addTranslateButton(element) {
    let actions = element.querySelector(":scope > .message-actions");
    if (!actions) {
      actions = el("div", "message-actions");
      element.append(actions);
    }
    if (!actions.querySelector(".message-translate-button")) {
      const button = el("button", "button-link message-translate-button", t("translate"));
      button.type = "button";
      actions.append(button);
    }
  }

  function setView(next, save = true) {
    if (!["mine", "all", "none"].includes(next)) {
      return;
    }
    readerView = next;
    for (const entry of store.entries()) {
      if (entry.data.translation_of !== null && entry.data.translation_of !== undefined && entry.element) {
        entry.element.hidden = !shows(entry.data);
      }
    }
    if (elements.viewSelect && elements.viewSelect.value !== next) {
      elements.viewSelect.value = next;
    }
    if (save) {
      request("preferences", { translation_view: next });
    }
  }

  // --- The forms: translate a message, correct one's translation ------------------------

  function openForm(anchor, { messageId, lang, text, correcting }) {
    const holder = anchor.closest(".message, .translation");
    const existing = holder.querySelector(":scope > .translate-form");
    if (existing) {
      existing.querySelector("textarea").focus();
      return;
    }
    const form = el("form", "translate-form");
    form.noValidate = true;
    const formId = "translate-" + messageId;
    let languageSelect = null;
    if (!correcting) {
      const label = el("label", "translate-label", t("translateInto"));
      label.htmlFor = formId + "-lang";
      languageSelect = document.createElement("select");
      languageSelect.id = formId + "-lang";
      const originalLang = (store.get(messageId)?.data || {}).lang;
      for (const code of LANGUAGES) {
        if (code === originalLang) {
          continue;
        }
        const option = document.createElement("option");
        option.value = code;
        option.textContent = languageName(t, code);
        languageSelect.append(option);
      }
      languageSelect.value = lang && lang !== originalLang ? lang : languageSelect.options[0]?.value;
      form.append(label, languageSelect);
    }
    const textLabel = el("label", "translate-label", correcting ? t("correctTranslation") : t("yourTranslation"));
    textLabel.htmlFor = formId + "-text";
    const area = document.createElement("textarea");
    area.id = formId + "-text";
    area.rows = 3;
    area.value = text || "";
    const submit = el("button", "button button-small button-primary", correcting ? t("saveCorrection") : t("addTranslation"));
    submit.type = "submit";
    const cancel = el("button", "button button-small", t("cancel"));
    cancel.type = "button";
    const result = el("p", "translate-result");
    result.setAttribute("role", "status");
    form.append(textLabel, area, submit, cancel, result);
    holder.append(form);
    area.focus();
    cancel.addEventListener("click", () => form.remove());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      submit.disabled = true;
      const payload = correcting
        ? { message_id: Number(messageId), body: area.value }
        : { session_id: sessionId, message_id: Number(messageId), lang: languageSelect.value,
            body: area.value, client_id: "tr-" + messageId + "-" + Date.now().toString(36) };
      const answer = await request(correcting ? "translation_edit" : "translate", payload);
      submit.disabled = false;
      if (!answer || !answer.ok) {
        result.textContent = (answer && answer.error && answer.error.message) || t("actionFailed");
        result.classList.add("translate-error");
        return;
      }
      if (answer.message) {
        place(answer.message);
      }
      const warnings = Array.isArray(answer.warnings) ? answer.warnings : [];
      if (warnings.length) {
        // Kept open: the interpreter sees what the glossary says and may correct it.
        showWarnings(holder, warnings, answer.message);
        form.remove();
      } else {
        form.remove();
      }
    });
  }

  function showWarnings(holder, warnings, message) {
    const box = el("div", "glossary-warnings");
    box.setAttribute("role", "alert");
    box.append(el("p", "glossary-warnings-title", t("glossaryWarning")));
    const list = el("ul", "glossary-warnings-list");
    for (const warning of warnings) {
      list.append(el("li", "glossary-warning", t("glossaryUseAgreed", {
        found: warning.found || "", agreed: warning.agreed || "", concept: warning.concept || "" })));
    }
    box.append(list);
    const dismiss = el("button", "button-link", t("dismiss"));
    dismiss.type = "button";
    dismiss.addEventListener("click", () => box.remove());
    box.append(dismiss);
    if (message) {
      box.dataset.messageId = String(message.id);
    }
    holder.append(box);
  }

  function onClick(event) {
    const translateButton = event.target.closest(".message-translate-button");
    if (translateButton) {
      const id = translateButton.closest(".message").dataset.messageId;
      openForm(translateButton, { messageId: id, lang: elements.panelLanguage?.value });
      return true;
    }
    const correctButton = event.target.closest(".translation-correct-button");
    if (correctButton) {
      const holder = correctButton.closest(".translation");
      const data = store.get(holder.dataset.messageId)?.data || {};
      const parsed = new DOMParser().parseFromString(data.body_html || "", "text/html");
      openForm(correctButton, { messageId: holder.dataset.messageId, text: (parsed.body.textContent || "").trim(),
                                correcting: true });
      return true;
    }
    return false;
  }

  // --- The interpreter's list of what is not translated yet ------------------------------

  function refreshPanelSoon() {
    if (!canTranslate || !elements.panel) {
      return;
    }
    clearTimeout(panelTimer);
    panelTimer = setTimeout(refreshPanel, 300);
  }

  async function refreshPanel() {
    if (!canTranslate || !elements.panel) {
      return;
    }
    const lang = elements.panelLanguage.value;
    const answer = await request("untranslated", { session_id: sessionId, lang });
    if (!answer || !answer.ok || lang !== elements.panelLanguage.value) {
      return;
    }
    elements.panelList.replaceChildren();
    for (const message of answer.messages || []) {
      const item = el("li", "untranslated-item");
      const link = el("a", "untranslated-link", (message.author || {}).name + ": " + excerptOf(message));
      link.href = "#message-" + encodeURIComponent(String(message.id));
      link.dataset.target = String(message.id);
      item.append(link);
      elements.panelList.append(item);
    }
    elements.panelEmpty.hidden = (answer.messages || []).length > 0;
    elements.panelMore.hidden = !answer.more;
  }

  if (elements.viewSelect) {
    elements.viewSelect.value = readerView;
    elements.viewSelect.addEventListener("change", () => setView(elements.viewSelect.value));
  }
  if (canTranslate && elements.panel) {
    elements.panelLanguage.addEventListener("change", refreshPanel);
    elements.panelList.addEventListener("click", (event) => {
      const link = event.target.closest(".untranslated-link");
      if (!link) {
        return;
      }
      const target = document.getElementById("message-" + link.dataset.target);
      const button = target && target.querySelector(".message-translate-button");
      if (button) {
        event.preventDefault();
        target.scrollIntoView({ block: "center" });
        openForm(button, { messageId: link.dataset.target, lang: elements.panelLanguage.value });
      }
    });
  }

  return { place, adopt, setView, onClick, refreshPanel, refreshPanelSoon, shows };
}
