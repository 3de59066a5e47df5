// The facilitators' controls in the room (docs/protocol.md, "Facilitation"): start, pause,
// resume and end the session (ending asks first, in the page's dialog: confirm.js), reopen
// it within the grace period after it ended, move through the agenda, lock the room, share
// the balance bar, and choose the floor mode, with `session_control`. Only the buttons that
// make sense in the session's state are shown; the new state comes back as a `session` event.

import { parseDate, translator } from "../common.js";
import { askConfirmation } from "../confirm.js";
import { rescueFocus, setBusy, showError } from "./ui.js";

// When a control disappears under the keyboard (Start becomes Pause), focus goes to its partner.
const PARTNER = {
  start: "pause", pause: "resume", resume: "pause", lock: "unlock", unlock: "lock",
  show_balance: "hide_balance", hide_balance: "show_balance", next_phase: "previous_phase",
  previous_phase: "next_phase", end: "reopen", reopen: "pause",
};
// Actions that cannot be undone (but for reopening soon after) ask first.
const CONFIRMED = new Set(["end"]);

/**
 * The facilitators' panel (absent for everyone else).
 *
 * shared: { t, state(), floorMode(), ask(event, payload), errorText(answer) } (room/facilitation.js)
 */
export function createSessionControls(shared) {
  const { t, ask, errorText } = shared;
  const getState = shared.state;
  const $ = (id) => document.getElementById(id);
  const panel = $("facilitator-panel");
  const panelError = $("facilitator-error");
  const floorModeSelect = $("floor-mode");
  const lockedNote = $("room-locked-note");
  // The panel's own sentences (the reopen button's label) sit on the panel.
  const tp = panel ? translator(panel) : () => "";
  let controlBusy = false;
  let reopenTimer = null;

  /** Until when the ended session may be reopened, while that is still ahead; else null. */
  function reopenDeadline(state) {
    const until = state.state === "ended" ? parseDate(state.reopen_until) : null;
    return until && until.getTime() > Date.now() ? until : null;
  }

  /** Draw the controls again when the grace period runs out, so Reopen goes away in time. */
  function scheduleReopenEnd(until) {
    window.clearTimeout(reopenTimer);
    reopenTimer = until ? window.setTimeout(renderControls, until.getTime() - Date.now() + 250) : null;
  }

  /** Show the controls that fit the latest state. */
  function renderControls() {
    if (!panel) {
      return;
    }
    const state = getState();
    const s = state.state;
    const phase = state.phase;
    const reopenUntil = reopenDeadline(state);
    scheduleReopenEnd(reopenUntil);
    const visible = {
      start: s === "draft",
      pause: s === "live",
      resume: s === "paused",
      end: s === "live" || s === "paused",
      reopen: Boolean(reopenUntil),
      next_phase: s !== "ended" && (!phase || phase.index + 1 < (phase.count || 0)),
      previous_phase: s !== "ended" && Boolean(phase) && phase.index > 0,
      lock: !state.locked,
      unlock: Boolean(state.locked),
      show_balance: !state.show_balance,
      hide_balance: Boolean(state.show_balance),
    };
    const active = document.activeElement;
    for (const button of panel.querySelectorAll("button[data-control]")) {
      const action = button.dataset.control;
      button.hidden = !visible[action];
      setBusy(button, controlBusy);
      if (action === "next_phase") {
        button.textContent = phase ? t("phaseNext") : t("phaseFirst");
      } else if (action === "reopen" && reopenUntil) {
        button.textContent = tp("reopenUntil", { time: shared.ctx.formatTime(reopenUntil) });
      }
    }
    if (active && active.dataset && active.dataset.control && active.hidden) {
      const partner = panel.querySelector(`button[data-control="${PARTNER[active.dataset.control] || ""}"]`);
      rescueFocus(active, [partner], panel);
    }
    if (floorModeSelect && document.activeElement !== floorModeSelect) {
      floorModeSelect.value = shared.floorMode();
    }
    if (floorModeSelect) {
      floorModeSelect.disabled = s === "ended";
      setBusy(floorModeSelect, controlBusy);
    }
    if (lockedNote) {
      lockedNote.hidden = !state.locked;
    }
  }

  async function control(action, extra = {}) {
    if (controlBusy) {
      return false;
    }
    controlBusy = true;
    renderControls();
    showError(panelError, "");
    const answer = await ask("session_control", { action, ...extra });
    controlBusy = false;
    if (!answer.ok) {
      showError(panelError, errorText(answer));
    }
    // The new state arrives as a `session` event to everyone, this page included.
    if (getState()) {
      renderControls();
    }
    return answer.ok;
  }

  panel?.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-control]");
    if (!button || controlBusy) {
      return;
    }
    const action = button.dataset.control;
    if (CONFIRMED.has(action)) {
      const confirmed = await askConfirmation({
        title: button.dataset.confirmTitle, text: button.dataset.confirmText,
        confirmLabel: button.dataset.confirmLabel, returnTo: button,
      });
      if (!confirmed) {
        return;
      }
    }
    control(action);
  });

  floorModeSelect?.addEventListener("change", async () => {
    const chosen = floorModeSelect.value;
    const ok = await control("floor_mode", { floor_mode: chosen });
    if (!ok && getState()) {
      floorModeSelect.value = shared.floorMode();
    }
  });

  return { render: renderControls };
}
