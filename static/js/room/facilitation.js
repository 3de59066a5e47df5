// Facilitation in the live room (docs/protocol.md and ../shared/protocol.md, "Facilitation"):
// the agenda phase with its countdown (room/phase.js), the floor and the raised hands
// (room/floor.js), the side-balance bar and the staff's participation panel
// (room/balance.js), the facilitators' controls (room/session-controls.js) and each
// member's own settings (room/my-settings.js). This module keeps the latest session state
// and the members' names, runs the countdowns and tells the composer whether I may write.
// The socket is room/connection.js's and the composer room/composer.js's; the facilitation
// events go out through the request it is given. Like the rest of the room it holds no
// user-visible text: every sentence comes translated from data-i18n-* attributes of #room,
// and names reach the page through textContent only.

import { createBalance } from "./balance.js";
import { createFloor } from "./floor.js";
import { createMySettings } from "./my-settings.js";
import { createPhase } from "./phase.js";
import { createSessionControls } from "./session-controls.js";
import { announcer, rescueFocus } from "./ui.js";

const TICK_MS = 1000;

/**
 * Start the facilitation parts of the room.
 *
 * ctx: { t, request(event, payload) -> Promise, sessionId, myId, myRole, canManage,
 *        isStaff, formatTime(date), fullDate(date), onFloorChange(), phaseTitles (the page's
 *        titles of the phases opened so far) }
 */
export function startFacilitation(ctx) {
  const { t, sessionId, myId, myRole } = ctx;
  const isParticipant = myRole === "participant";
  const names = new Map(); // String(user id) -> display name, from presence, messages, balance
  let state = null;        // the latest SessionState
  let tickTimer = null;
  let stopped = false;
  let joined = false;
  // Titles of the phases opened so far (the page's list, then each phase as it opens).
  const phaseTitles = new Map((ctx.phaseTitles || []).map((title, index) => [index, title]));

  // --- What the parts share ------------------------------------------------------------

  /** A member's name for the floor and the hands ("you" for me). */
  function nameOf(memberId) {
    if (String(memberId) === myId) {
      return names.get(myId) || t("you");
    }
    return names.get(String(memberId)) || t("floorSomeone");
  }

  /** The server's refusal, or a general "that did not work". */
  function errorText(answer) {
    const error = answer && answer.error;
    return (error && error.message) || t("actionFailed");
  }

  /** Send one facilitation event; resolve to the answer, or to a failure when nothing came back. */
  async function ask(event, payload) {
    try {
      const answer = await ctx.request(event, { session_id: sessionId, ...payload });
      return answer || { ok: false, error: { message: t("actionFailed") } };
    } catch (failure) {
      return { ok: false, error: { code: "timeout", message: t("noAnswer") } };
    }
  }

  const shared = {
    t, ctx, myId, isParticipant, nameOf, ask, errorText, learnNames,
    announce: announcer(document.getElementById("facilitation-status")),
    state: () => state,
    active: () => joined && !stopped,
    floorMode: () => floor.mode(),
  };
  const phase = createPhase(shared);
  const floor = createFloor(shared);
  const balance = createBalance(shared);
  const controls = createSessionControls(shared);
  const mySettings = createMySettings(shared);

  // --- Names ---------------------------------------------------------------------------

  /** Remember members' names (presence, authors, balance) to name the floor and the hands. */
  function learnNames(members) {
    let changed = false;
    for (const member of members || []) {
      if (!member || member.id === undefined || member.id === null || !member.name) {
        continue;
      }
      const key = String(member.id);
      if (names.get(key) !== member.name) {
        names.set(key, member.name);
        changed = true;
      }
    }
    if (changed && state) {
      floor.render(false);
    }
  }

  // --- The session's state -------------------------------------------------------------

  /** Draw a SessionState (from `join` or a `session` event). */
  function applySession(next) {
    if (!next || typeof next !== "object") {
      return;
    }
    state = next;
    if (next.phase && Number.isInteger(next.phase.index)) {
      phaseTitles.set(next.phase.index, next.phase.title || "");
    }
    const active = floor.box.contains(document.activeElement) ? document.activeElement : null;
    phase.render();
    floor.render(true, false);
    balance.renderBar(state.balance);
    controls.render();
    scheduleTick();
    ctx.onFloorChange();
    // Whoever waited on "Raise hand" and now has the floor can type at once.
    const input = isParticipant && floor.holdsFloor() ? document.getElementById("message-input") : null;
    rescueFocus(active, [input && !input.disabled ? input : null, ...floor.focusCandidates()], floor.box);
  }

  /** Draw what `join` says about me (my name, consent, hidden presence). */
  function applyMe(me) {
    if (!me || typeof me !== "object") {
      return;
    }
    if (me.name) {
      names.set(myId, me.name);
    }
    mySettings.applyMe(me);
  }

  // --- Countdowns ----------------------------------------------------------------------

  function scheduleTick() {
    const needed = state && ((state.phase && state.phase.ends_at) || (state.floor && state.floor.ends_at));
    if (needed && tickTimer === null && !stopped) {
      tickTimer = window.setInterval(tick, TICK_MS);
    } else if (!needed && tickTimer !== null) {
      window.clearInterval(tickTimer);
      tickTimer = null;
    }
  }

  function tick() {
    if (!state) {
      return;
    }
    // Only the countdowns move; whether I may write follows the server's `session` events.
    phase.renderTime();
    floor.renderTime();
  }

  // --- Life cycle ----------------------------------------------------------------------

  /** Joined (again): the balance figures start coming. */
  function onJoined() {
    joined = true;
    balance.start();
  }

  /** The connection is down: nothing is asked until the next join. */
  function onDisconnected() {
    joined = false;
  }

  /** The room stopped for good: no more timers. */
  function stop() {
    stopped = true;
    joined = false;
    window.clearInterval(tickTimer);
    tickTimer = null;
    balance.stop();
  }

  // --- For the composer ----------------------------------------------------------------

  /** The note under an open composer: that I hold the floor, else nothing. (The countdown
      stays in #floor, outside any live region, so screen readers do not read every second.) */
  function openComposerNote() {
    return isParticipant && state && floor.mode() !== "open" && floor.holdsFloor() ? t("floorYoursNote") : "";
  }

  /** The note under a composer closed while I wait for the floor. */
  function waitingNote() {
    return floor.handRaised() ? t("waitForFloorRaised") : t("waitForFloor");
  }

  return {
    applySession, applyMe, learnNames, nameOf, onJoined, onDisconnected, stop,
    refreshBalanceSoon: () => balance.refreshSoon(),
    waitingForFloor: () => floor.waitingForFloor(),
    holdsFloor: () => floor.holdsFloor(),
    phaseTitle: (index) => phaseTitles.get(index) ?? "",
    // The other members whose session names the page has seen (for @mention completion).
    otherMembers: () => [...names].filter(([id]) => id !== myId).map(([id, name]) => ({ id, name })),
    openComposerNote, waitingNote,
  };
}
