// One Tab stop for a whole list of messages (the "roving tabindex" of the WAI-ARIA authoring
// practices), so that the keyboard does not have to cross every message's Reply, Flag and
// Edit buttons to reach the composer. In the list:
//   Up / Down      the previous / next message      Home / End   the first / last message
//   Right / Left   the next / previous control of the message (its buttons and links)
//   Escape         from a control back to its message
// The message that last had the keyboard keeps the list's Tab stop (at first, the newest).
// A form or panel opened inside a message (flag, edit, translate, moderate, delete) keeps the
// ordinary Tab order of its fields, and its own Escape closes it.

const CONTROLS = "a[href], button, summary, select, input, textarea, [contenteditable='true']";
// Open forms and panels inside a message: their fields stay in the ordinary Tab order.
const OPEN_PANELS = "form, .staff-menu, .delete-confirm";
const NAVIGATION_KEYS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "Escape"]);

/** Make `list` (an <ol> of li.message) one Tab stop with arrow keys inside; its `scroller`
 *  is a Tab stop of its own only while the list is empty (a message then scrolls it). */
export function rovingList(list, scroller = null) {
  const hint = list.getAttribute("aria-describedby"); // the sentence that explains the keys
  list.removeAttribute("aria-describedby"); // the list itself never has the keyboard
  let current = null; // the li.message holding the Tab stop
  let pending = false;

  function messages() {
    return [...list.children].filter((item) => item.classList.contains("message") && !item.hidden);
  }

  function messageOf(element) {
    const item = element && element.closest ? element.closest("li.message") : null;
    return item && item.parentElement === list ? item : null;
  }

  function controlsOf(item) {
    return [...item.querySelectorAll(CONTROLS)].filter((control) => !control.closest(OPEN_PANELS)
      && !control.closest("[hidden]") && !control.disabled && control.getClientRects().length > 0);
  }

  /** Give the Tab stop to `current` (or the newest message), take it from everything else. */
  function sync() {
    pending = false;
    const all = messages();
    if (current && !current.isConnected && current.id) {
      current = document.getElementById(current.id); // drawn again: the same message
    }
    if (!current || !current.isConnected || current.parentElement !== list || current.hidden) {
      current = all.length ? all[all.length - 1] : null;
    }
    for (const item of all) {
      item.tabIndex = item === current ? 0 : -1;
      // The keys are explained on the one message the Tab key reaches.
      if (hint && item === current) {
        item.setAttribute("aria-describedby", hint);
      } else if (hint && item.getAttribute("aria-describedby") === hint) {
        item.removeAttribute("aria-describedby");
      }
    }
    if (scroller) {
      scroller.tabIndex = all.length ? -1 : 0;
    }
    for (const control of list.querySelectorAll(CONTROLS)) {
      if (!control.closest(OPEN_PANELS)) {
        control.tabIndex = -1;
      }
    }
  }

  function syncSoon() {
    if (!pending) {
      pending = true;
      queueMicrotask(sync);
    }
  }

  function moveTo(item) {
    if (!item) {
      return;
    }
    current = item;
    sync();
    item.focus();
  }

  list.addEventListener("focusin", (event) => {
    const item = messageOf(event.target);
    if (item && item !== current) {
      current = item;
      sync();
    }
  });

  list.addEventListener("keydown", (event) => {
    if (!NAVIGATION_KEYS.has(event.key) || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    const target = event.target;
    // Fields and open panels keep their keys (a caret moves, a select changes, Escape closes).
    if (target.closest(OPEN_PANELS) || target.matches("input, textarea, select, [contenteditable='true']")) {
      return;
    }
    const item = messageOf(target);
    if (!item) {
      return;
    }
    const all = messages();
    const index = all.indexOf(item);
    const controls = controlsOf(item);
    const at = controls.indexOf(target);
    let handled = true;
    switch (event.key) {
      case "ArrowDown":
        moveTo(all[Math.min(index + 1, all.length - 1)]);
        break;
      case "ArrowUp":
        moveTo(all[Math.max(index - 1, 0)]);
        break;
      case "Home":
        moveTo(all[0]);
        break;
      case "End":
        moveTo(all[all.length - 1]);
        break;
      case "ArrowRight":
        if (controls.length) {
          controls[at < 0 ? 0 : (at + 1) % controls.length].focus();
        }
        break;
      case "ArrowLeft":
        if (at <= 0) {
          item.focus();
        } else {
          controls[at - 1].focus();
        }
        break;
      case "Escape":
        if (target !== item) {
          item.focus();
        } else {
          handled = false;
        }
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
    }
  });

  // Messages arrive, are drawn again and gain buttons: keep one Tab stop throughout.
  new MutationObserver(syncSoon).observe(list, { childList: true, subtree: true });
  sync();

  return { sync, current: () => current };
}
