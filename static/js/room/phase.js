// The agenda phase in the room (docs/protocol.md, "Facilitation"): its number, title and
// prompt, and the countdown to its planned end. A new phase is announced once.

import { parseDate } from "../common.js";
import { clock } from "./ui.js";

/**
 * The phase box.
 *
 * shared: { t, ctx, state(), announce(text) } (room/facilitation.js)
 */
export function createPhase(shared) {
  const { t, ctx, announce } = shared;
  const getState = shared.state;
  const $ = (id) => document.getElementById(id);
  const phaseBox = $("phase");
  const phaseCount = $("phase-count");
  const phaseTitle = $("phase-title");
  const phasePrompt = $("phase-prompt");
  const phaseTimeLeft = $("phase-time-left");
  let lastPhaseKey = null; // to announce a new phase once

  /** Draw the phase of the latest state. */
  function renderPhase() {
    const state = getState();
    const phase = state.phase;
    if (!phase) {
      phaseBox.dataset.phase = "none";
      phaseCount.hidden = true;
      phaseCount.textContent = "";
      phaseTitle.textContent = t("phaseNone");
      phasePrompt.textContent = t("phaseNoneHint");
      phaseTimeLeft.hidden = true;
      phaseTimeLeft.textContent = "";
      lastPhaseKey = "none";
      return;
    }
    const n = phase.index + 1;
    const count = phase.count || n;
    phaseBox.dataset.phase = String(phase.index);
    phaseCount.textContent = t("phaseCount", { n, count });
    phaseCount.hidden = false;
    phaseTitle.textContent = phase.title || "";
    phasePrompt.textContent = phase.prompt || "";
    phasePrompt.hidden = !phase.prompt;
    const key = `${phase.index}|${phase.title}|${phase.ends_at}`;
    if (lastPhaseKey !== null && lastPhaseKey !== key) {
      announce(t("phaseAnnounce", { n, count, title: phase.title || "" }));
    }
    lastPhaseKey = key;
    renderPhaseTime();
  }

  /** Draw the time left in the phase (every second while it runs). */
  function renderPhaseTime() {
    const state = getState();
    const ends = state && state.phase && state.state !== "ended" ? parseDate(state.phase.ends_at) : null;
    if (!ends) {
      phaseTimeLeft.hidden = true;
      phaseTimeLeft.textContent = "";
      delete phaseTimeLeft.dataset.over;
      return;
    }
    const left = ends.getTime() - Date.now();
    phaseTimeLeft.hidden = false;
    phaseTimeLeft.title = ctx.fullDate(ends);
    if (left > 0) {
      phaseTimeLeft.textContent = t("phaseTimeLeft", { time: clock(left) });
      phaseTimeLeft.dataset.over = "false";
    } else {
      phaseTimeLeft.textContent = t("phaseTimeUp");
      phaseTimeLeft.dataset.over = "true";
    }
  }

  return { render: renderPhase, renderTime: renderPhaseTime };
}
