// Small helpers for the facilitation parts of the room (room/facilitation.js and the
// modules it starts): a clock for countdowns, busy controls that keep the keyboard focus,
// moving the focus when its control disappears, error lines and a polite announcer. They
// hold no text of their own.

/** "4:05" or "1:02:09" for a duration in milliseconds (never negative). */
export function clock(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n) => String(n).padStart(2, "0");
  return hours ? `${hours}:${two(minutes)}:${two(seconds)}` : `${minutes}:${two(seconds)}`;
}

/** Busy controls stay focusable (a disabled button would drop the keyboard focus). */
export function setBusy(element, busy) {
  if (element) {
    element.setAttribute("aria-disabled", busy ? "true" : "false");
  }
}

/** Whether an element is on the page and not hidden (nor inside something hidden). */
export function usable(element) {
  return Boolean(element) && element.isConnected && !element.hidden && !element.closest("[hidden]");
}

/** If the focused element vanished or was hidden, move the focus to the first usable candidate. */
export function rescueFocus(before, candidates, fallback) {
  if (!before || before === document.body || usable(before)) {
    return;
  }
  const target = candidates.find(usable) || fallback;
  if (target) {
    target.focus({ preventScroll: true });
  }
}

/** Show an error line (hidden when the text is empty); nothing when the element is missing. */
export function showError(element, text) {
  if (!element) {
    return;
  }
  element.textContent = text;
  element.hidden = !text;
}

/** An announce(text) that says a sentence in a live region (read again even when repeated). */
export function announcer(element) {
  return function announce(text) {
    if (element && text) {
      // Clear first so that the same sentence twice is read twice.
      element.textContent = "";
      window.setTimeout(() => {
        element.textContent = text;
      }, 50);
    }
  };
}
