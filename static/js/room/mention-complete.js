// Completing @mentions in the composer. After "@" and the start of a name, a list of the
// session's members whose session name matches (by its start first, then anywhere in it);
// Up and Down choose, Enter or Tab put "@Name " in the text, Escape closes the list, and a
// click on a name does the same as Enter. The textarea points to the list (aria-controls,
// aria-activedescendant), so screen readers follow the choice. Names are the session names
// the page has seen (presence, messages, the balance): never accounts.

const MAX_OPTIONS = 8;
const MAX_QUERY = 40;

/**
 * options: { input (the textarea), list (an empty <ul role="listbox">), names() -> [{ id, name }]
 *            of the other members known to the page }
 */
export function createMentionCompletion({ input, list, names }) {
  let options = [];   // [{ id, name }] shown
  let active = -1;    // index of the chosen option
  let start = -1;     // where "@" is in the text
  let chosen = false; // a name was just put in: the input that follows is ours

  function fold(text) {
    return text.toLocaleLowerCase();
  }

  /** The "@query" just before the caret, or null. */
  function queryAtCaret() {
    if (input.selectionStart !== input.selectionEnd) {
      return null;
    }
    const before = input.value.slice(0, input.selectionStart);
    const at = before.lastIndexOf("@");
    if (at < 0 || (at > 0 && !/[\s([{"'«„]/.test(before[at - 1]))) {
      return null;
    }
    const query = before.slice(at + 1);
    if (query.length > MAX_QUERY || /[\n@]/.test(query)) {
      return null;
    }
    return { at, query };
  }

  function close() {
    options = [];
    active = -1;
    start = -1;
    list.hidden = true;
    list.replaceChildren();
    input.removeAttribute("aria-activedescendant");
  }

  function draw() {
    list.replaceChildren();
    options.forEach((option, index) => {
      const item = document.createElement("li");
      item.id = list.id + "-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", index === active ? "true" : "false");
      item.dataset.index = String(index);
      item.textContent = option.name;
      list.append(item);
    });
    list.hidden = options.length === 0;
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", list.id + "-" + active);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  /** Look again at what is before the caret, and show the names that match. */
  function refresh() {
    if (chosen) {
      chosen = false;
      return;
    }
    const found = queryAtCaret();
    if (!found) {
      close();
      return;
    }
    const query = fold(found.query);
    const known = names().filter((member) => member && member.name);
    const byName = (a, b) => a.name.localeCompare(b.name);
    const starting = known.filter((member) => fold(member.name).startsWith(query)).sort(byName);
    const inside = known.filter((member) => !fold(member.name).startsWith(query) && fold(member.name).includes(query))
      .sort(byName);
    options = [...starting, ...inside].slice(0, MAX_OPTIONS);
    start = found.at;
    active = options.length ? 0 : -1;
    draw();
  }

  /** Put "@Name " in place of "@query" and the caret after it. */
  function choose(index) {
    const option = options[index];
    if (!option || start < 0) {
      return;
    }
    const caret = input.selectionStart;
    const text = "@" + option.name + " ";
    input.setRangeText(text, start, caret, "end");
    close();
    chosen = true;
    input.dispatchEvent(new Event("input", { bubbles: true })); // the counter follows
  }

  // Before the composer's own keys (Enter sends, Escape cancels a reply): a capturing listener
  // on the textarea runs first.
  input.addEventListener("keydown", (event) => {
    if (list.hidden || !options.length || event.isComposing || event.keyCode === 229) {
      return;
    }
    let handled = true;
    if (event.key === "ArrowDown") {
      active = (active + 1) % options.length;
      draw();
    } else if (event.key === "ArrowUp") {
      active = (active - 1 + options.length) % options.length;
      draw();
    } else if ((event.key === "Enter" && !event.shiftKey) || event.key === "Tab") {
      choose(active < 0 ? 0 : active);
    } else if (event.key === "Escape") {
      close();
    } else {
      handled = false;
    }
    if (handled) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, { capture: true });
  input.addEventListener("input", refresh);
  input.addEventListener("click", refresh);
  input.addEventListener("blur", () => setTimeout(close, 150)); // after a click on the list
  list.addEventListener("mousedown", (event) => {
    const item = event.target.closest("[role=option]");
    if (item) {
      event.preventDefault(); // the textarea keeps the keyboard
      choose(Number(item.dataset.index));
    }
  });
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  close();

  return { close, refresh };
}
