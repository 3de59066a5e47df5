// The floor in the room (docs/protocol.md, "Facilitation"): who may write now in the queue
// and alternate modes, its countdown, the raised hands in order, raising and lowering one's
// hand, and (facilitators) giving the floor or taking it back. The server decides; this
// module draws its state and answers whether I may write.

import { parseDate } from "../common.js";
import { clock, rescueFocus, setBusy, showError } from "./ui.js";

const MIN_FLOOR_SECONDS = 5;
const MAX_FLOOR_SECONDS = 3600;

/**
 * The floor box.
 *
 * shared: { t, ctx, myId, isParticipant, state(), nameOf(id), ask(event, payload),
 *           errorText(answer), announce(text) } (room/facilitation.js)
 */
export function createFloor(shared) {
  const { t, ctx, myId, isParticipant, nameOf, ask, errorText, announce } = shared;
  const getState = shared.state;
  const $ = (id) => document.getElementById(id);
  const floorBox = $("floor-box");
  const floorLine = $("floor");
  const floorText = $("floor-text");
  const floorTimeLeft = $("floor-time-left");
  const floorModeNote = $("floor-mode-note");
  const handsBlock = $("hands-block");
  const handsList = $("hands");
  const handsEmpty = $("hands-empty");
  const handButton = $("hand-button");
  const floorDone = $("floor-done");
  const floorStaff = $("floor-staff");
  const floorSeconds = $("floor-seconds");
  const takeFloor = $("take-floor");
  const floorError = $("floor-error");
  let lastFloorHolder; // to announce a new holder once (undefined: nothing drawn yet)
  let handBusy = false;
  let floorBusy = false;

  /** The controls the keyboard may go to when its own one disappears. */
  function floorFocusCandidates() {
    return [floorDone, handButton, takeFloor, handsList.querySelector("button"), floorSeconds];
  }

  /** The floor mode: "open", "queue" or "alternate". */
  function floorMode() {
    const state = getState();
    return (state && state.floor_mode) || "open";
  }

  function hands() {
    const state = getState();
    return (state && Array.isArray(state.hands)) ? state.hands : [];
  }

  function floorHolder() {
    const state = getState();
    return state && state.floor && state.floor.member_id !== null && state.floor.member_id !== undefined
      ? String(state.floor.member_id) : null;
  }

  /** The server's word: I hold the floor (its clock decides when a timed floor ends). */
  function holdsFloor() {
    return floorHolder() === myId;
  }

  function handRaised() {
    return hands().some((id) => String(id) === myId);
  }

  /** A participant who must wait for the floor before writing (queue and alternate modes). */
  function waitingForFloor() {
    const state = getState();
    return isParticipant && state !== null && floorMode() !== "open" && !holdsFloor();
  }

  /** Draw the floor, its countdown and the hands; announce a new holder when asked to. */
  function renderFloor(announceChange, keepFocus = true) {
    const state = getState();
    if (!state) {
      return;
    }
    const active = floorBox.contains(document.activeElement) ? document.activeElement : null;
    const mode = floorMode();
    const holder = floorHolder();
    const mine = holder !== null && holder === myId;
    floorBox.dataset.mode = mode;
    // After the end nobody speaks again; before the start an open floor says nothing useful.
    floorBox.hidden = state.state === "ended" || (mode === "open" && holder === null && hands().length === 0
      && state.state !== "live" && state.state !== "paused");
    floorLine.dataset.mine = mine ? "true" : "false";
    floorLine.dataset.holder = holder || "";
    if (holder !== null) {
      floorText.textContent = mine ? t("floorYours") : t("floorHeldBy", { name: nameOf(holder) });
    } else {
      floorText.textContent = mode === "open" ? t("floorOpen") : t("floorNobody");
    }
    if (mode === "open") {
      floorModeNote.hidden = true;
      floorModeNote.textContent = "";
    } else {
      // Participants learn how to ask; facilitators how it works for them; others what happens.
      const audience = isParticipant ? "" : (ctx.canManage ? "Staff" : "Others");
      floorModeNote.textContent = t("floorMode" + (mode === "queue" ? "Queue" : "Alternate") + audience);
      floorModeNote.hidden = false;
    }
    renderFloorTime();
    renderHands(mode);

    if (handButton) {
      const show = isParticipant && mode !== "open" && state.state !== "ended" && !mine;
      handButton.hidden = !show;
      const raised = handRaised();
      handButton.setAttribute("aria-pressed", raised ? "true" : "false");
      handButton.textContent = raised ? t("handLower") : t("handRaise");
      setBusy(handButton, handBusy);
    }
    if (floorDone) {
      floorDone.hidden = !(mine && mode !== "open");
      setBusy(floorDone, handBusy);
    }
    if (floorStaff) {
      floorStaff.hidden = mode === "open" && holder === null;
    }
    if (takeFloor) {
      takeFloor.hidden = holder === null;
      setBusy(takeFloor, floorBusy);
    }
    if (keepFocus) {
      rescueFocus(active, floorFocusCandidates(), floorBox);
    }
    if (announceChange && lastFloorHolder !== undefined && lastFloorHolder !== holder && holder !== null) {
      announce(mine ? t("floorYours") : t("floorHeldBy", { name: nameOf(holder) }));
    }
    lastFloorHolder = holder;
  }

  function renderFloorTime() {
    const state = getState();
    const ends = state && state.floor ? parseDate(state.floor.ends_at) : null;
    if (!ends) {
      floorTimeLeft.hidden = true;
      floorTimeLeft.textContent = "";
      return;
    }
    floorTimeLeft.hidden = false;
    floorTimeLeft.textContent = t("floorTimeLeft", { time: clock(ends.getTime() - Date.now()) });
  }

  function renderHands(mode) {
    const ids = hands();
    const focusedGive = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.giveFloor : undefined;
    const items = ids.map((id) => {
      const key = String(id);
      const item = document.createElement("li");
      item.className = "hand";
      item.dataset.memberId = key;
      const name = document.createElement("span");
      name.className = "hand-name";
      name.textContent = nameOf(key);
      item.append(name);
      if (key === myId) {
        const you = document.createElement("span");
        you.className = "presence-you";
        you.textContent = " (" + t("you") + ")";
        item.append(you);
        item.classList.add("hand-own");
      }
      if (ctx.canManage) {
        const give = document.createElement("button");
        give.type = "button";
        give.className = "button button-small hand-give";
        give.dataset.giveFloor = key;
        give.textContent = t("giveFloor");
        give.setAttribute("aria-label", t("giveFloorTo", { name: nameOf(key) }));
        setBusy(give, floorBusy);
        item.append(give);
      }
      return item;
    });
    handsList.replaceChildren(...items);
    if (focusedGive !== undefined) {
      // Drawn again (a new name, a new hand): the keyboard stays on the same person's button.
      const again = handsList.querySelector(`button[data-give-floor="${CSS.escape(focusedGive)}"]`);
      if (again) {
        again.focus({ preventScroll: true });
      }
    }
    handsEmpty.hidden = ids.length > 0;
    handsBlock.hidden = mode === "open" && ids.length === 0;
  }

  handButton?.addEventListener("click", async () => {
    if (handBusy || !getState()) {
      return;
    }
    handBusy = true;
    renderFloor(false);
    showError(floorError, "");
    const answer = await ask("hand", { raised: !handRaised() });
    handBusy = false;
    if (!answer.ok) {
      showError(floorError, errorText(answer));
    }
    renderFloor(false);
  });

  floorDone?.addEventListener("click", async () => {
    if (handBusy) {
      return;
    }
    handBusy = true;
    renderFloor(false);
    showError(floorError, "");
    // Lowering the hand while holding the floor gives the floor back.
    const answer = await ask("hand", { raised: false });
    handBusy = false;
    if (!answer.ok) {
      showError(floorError, errorText(answer));
    }
    renderFloor(false);
  });

  /** The seconds field: undefined for no limit, a number, or null when it is not valid. */
  function chosenSeconds() {
    const raw = floorSeconds ? floorSeconds.value.trim() : "";
    if (!raw) {
      return undefined;
    }
    if (!/^\d+$/.test(raw)) {
      return null;
    }
    const seconds = Number.parseInt(raw, 10);
    return seconds >= MIN_FLOOR_SECONDS && seconds <= MAX_FLOOR_SECONDS ? seconds : null;
  }

  async function giveFloor(memberId) {
    if (floorBusy) {
      return;
    }
    const seconds = chosenSeconds();
    if (seconds === null) {
      showError(floorError, t("floorSecondsInvalid"));
      floorSeconds.setAttribute("aria-invalid", "true");
      floorSeconds.focus();
      return;
    }
    floorSeconds?.removeAttribute("aria-invalid");
    floorBusy = true;
    renderFloor(false);
    showError(floorError, "");
    const payload = { member_id: memberId };
    if (seconds !== undefined) {
      payload.seconds = seconds;
    }
    const answer = await ask("floor", payload);
    floorBusy = false;
    if (!answer.ok) {
      showError(floorError, errorText(answer));
    }
    renderFloor(false);
  }

  handsList.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-give-floor]");
    if (button && ctx.canManage) {
      giveFloor(button.dataset.giveFloor);
    }
  });

  takeFloor?.addEventListener("click", () => giveFloor(null));

  floorSeconds?.addEventListener("input", () => {
    floorSeconds.removeAttribute("aria-invalid");
  });

  return {
    box: floorBox, focusCandidates: floorFocusCandidates, render: renderFloor, renderTime: renderFloorTime,
    mode: floorMode, holdsFloor, handRaised, waitingForFloor,
  };
}
