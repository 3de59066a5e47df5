// Facilitation in the live room (docs/protocol.md and ../shared/protocol.md, "Facilitation"):
// the agenda phase with its countdown, the floor and the raised hands, the side-balance bar,
// the facilitators' controls, the staff's participation panel and each member's own settings
// (consent for the record, hidden presence). The socket is room/connection.js's and the
// composer room/composer.js's; this module draws the session's state and sends the
// facilitation events through the request it is given. Like the rest of the room it holds
// no user-visible text: every sentence comes translated from data-i18n-* attributes of #room,
// and names reach the page through textContent only.

const BALANCE_REFRESH_MS = 10000;
const BALANCE_AFTER_MESSAGE_MS = 800;
const TICK_MS = 1000;
const MIN_FLOOR_SECONDS = 5;
const MAX_FLOOR_SECONDS = 3600;
// When a control disappears under the keyboard (Start becomes Pause), focus goes to its partner.
const PARTNER = {
  start: "pause", pause: "resume", resume: "pause", lock: "unlock", unlock: "lock",
  show_balance: "hide_balance", hide_balance: "show_balance", next_phase: "previous_phase",
  previous_phase: "next_phase",
};

/**
 * Start the facilitation parts of the room.
 *
 * ctx: { t, request(event, payload) -> Promise, sessionId, myId, myRole, canManage,
 *        isStaff, formatTime(date), fullDate(date), onFloorChange() }
 */
export function startFacilitation(ctx) {
  const { t, sessionId, myId, myRole } = ctx;
  const $ = (id) => document.getElementById(id);

  const phaseBox = $("phase");
  const phaseCount = $("phase-count");
  const phaseTitle = $("phase-title");
  const phasePrompt = $("phase-prompt");
  const phaseTimeLeft = $("phase-time-left");
  const announcer = $("facilitation-status");

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

  const balanceBar = $("balance-bar");
  const balanceNote = $("balance-bar-note");

  const panel = $("facilitator-panel");
  const panelError = $("facilitator-error");
  const floorModeSelect = $("floor-mode");
  const lockedNote = $("room-locked-note");

  const balancePanel = $("balance-panel");
  const balanceError = $("balance-error");
  const balanceSides = $("balance-sides");
  const balancePeople = $("balance-people");
  const balanceSilent = $("balance-silent");
  const balanceUpdated = $("balance-updated");

  const consentForm = $("consent-form");
  const consentNaming = $("consent-naming");
  const consentInclude = $("consent-include");
  const consentSince = $("consent-since");
  const consentError = $("consent-error");
  const presenceHidden = $("presence-hidden");
  const presenceStatus = $("presence-status");
  const presenceError = $("presence-error");

  const isParticipant = myRole === "participant";
  const names = new Map(); // String(user id) -> display name, from presence, messages, balance
  let state = null;        // the latest SessionState
  let lastPhaseKey = null; // to announce a new phase once
  let lastFloorHolder;     // to announce a new holder once (undefined: nothing drawn yet)
  let tickTimer = null;
  let balanceTimer = null;
  let balanceSoonTimer = null;
  let balanceBusy = false;
  let controlBusy = false;
  let handBusy = false;
  let floorBusy = false;
  let consentBusy = false;
  let presenceBusy = false;
  let stopped = false;
  let joined = false;

  // --- Small helpers -------------------------------------------------------------------

  function parseDate(value) {
    if (!value) {
      return null;
    }
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  }

  /** "4:05" or "1:02:09" for a duration in milliseconds (never negative). */
  function clock(ms) {
    const total = Math.max(0, Math.ceil(ms / 1000));
    const hours = Math.floor(total / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const seconds = total % 60;
    const two = (n) => String(n).padStart(2, "0");
    return hours ? `${hours}:${two(minutes)}:${two(seconds)}` : `${minutes}:${two(seconds)}`;
  }

  function nameOf(userId) {
    if (String(userId) === myId) {
      return names.get(myId) || t("you");
    }
    return names.get(String(userId)) || t("floorSomeone");
  }

  function announce(text) {
    if (announcer && text) {
      // Clear first so that the same sentence twice is read twice.
      announcer.textContent = "";
      window.setTimeout(() => {
        announcer.textContent = text;
      }, 50);
    }
  }

  /** Busy controls stay focusable (a disabled button would drop the keyboard focus). */
  function setBusy(element, busy) {
    if (element) {
      element.setAttribute("aria-disabled", busy ? "true" : "false");
    }
  }

  function usable(element) {
    return Boolean(element) && element.isConnected && !element.hidden && !element.closest("[hidden]");
  }

  /** If the focused element vanished or was hidden, move the focus to the first usable candidate. */
  function rescueFocus(before, candidates, fallback) {
    if (!before || before === document.body || usable(before)) {
      return;
    }
    const target = candidates.find(usable) || fallback;
    if (target) {
      target.focus({ preventScroll: true });
    }
  }

  function showError(element, text) {
    if (!element) {
      return;
    }
    element.textContent = text;
    element.hidden = !text;
  }

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
      renderFloor(false);
    }
  }

  // --- The session's state -------------------------------------------------------------

  /** Draw a SessionState (from `join` or a `session` event). */
  function applySession(next) {
    if (!next || typeof next !== "object") {
      return;
    }
    state = next;
    const active = floorBox.contains(document.activeElement) ? document.activeElement : null;
    renderPhase();
    renderFloor(true, false);
    renderBalanceBar(state.balance);
    renderControls();
    scheduleTick();
    ctx.onFloorChange();
    // Whoever waited on "Raise hand" and now has the floor can type at once.
    const input = isParticipant && holdsFloor() ? document.getElementById("message-input") : null;
    rescueFocus(active, [input && !input.disabled ? input : null, ...floorFocusCandidates()], floorBox);
  }

  function floorFocusCandidates() {
    return [floorDone, handButton, takeFloor, handsList.querySelector("button"), floorSeconds];
  }

  function renderPhase() {
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

  function renderPhaseTime() {
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

  // --- The floor -----------------------------------------------------------------------

  function floorMode() {
    return (state && state.floor_mode) || "open";
  }

  function hands() {
    return (state && Array.isArray(state.hands)) ? state.hands : [];
  }

  function floorHolder() {
    return state && state.floor && state.floor.user_id !== null && state.floor.user_id !== undefined
      ? String(state.floor.user_id) : null;
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
    return isParticipant && state !== null && floorMode() !== "open" && !holdsFloor();
  }

  function renderFloor(announceChange, keepFocus = true) {
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
      item.dataset.userId = key;
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
    if (handBusy || !state) {
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

  async function giveFloor(userId) {
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
    const payload = { user_id: userId };
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
      giveFloor(Number(button.dataset.giveFloor));
    }
  });

  takeFloor?.addEventListener("click", () => giveFloor(null));

  floorSeconds?.addEventListener("input", () => {
    floorSeconds.removeAttribute("aria-invalid");
  });

  // --- The side-balance bar (everyone, when the balance is shared) -----------------------

  function sideOrder(balance) {
    const labels = Array.isArray(state.sides) ? state.sides.filter((label) => label in balance) : [];
    for (const label of Object.keys(balance)) {
      if (!labels.includes(label)) {
        labels.push(label);
      }
    }
    return labels.slice(0, 2);
  }

  /** Draw the bar from {side label: {messages, words}}; hidden when there is nothing to show. */
  function renderBalanceBar(sides) {
    const balance = sides && typeof sides === "object" ? sides : {};
    const labels = sideOrder(balance);
    if (labels.length < 2 || (!ctx.isStaff && !state.show_balance)) {
      balanceBar.hidden = true;
      return;
    }
    const counts = labels.map((label) => Number((balance[label] || {}).messages) || 0);
    const total = counts[0] + counts[1];
    const first = total ? Math.round((100 * counts[0]) / total) : 50;
    const shares = [first, 100 - first];
    const segments = balanceBar.querySelectorAll(".balance-segment");
    const legends = balanceBar.querySelectorAll(".balance-side");
    labels.forEach((label, index) => {
      // CSSOM, not a style attribute: allowed under style-src 'self'.
      segments[index].style.flexGrow = String(Math.max(shares[index], 0));
      segments[index].dataset.share = String(shares[index]);
      legends[index].textContent = total
        ? t("balanceSide", { side: label, percent: shares[index] })
        : t("balanceSideEmpty", { side: label });
    });
    balanceBar.dataset.empty = total ? "false" : "true";
    if (ctx.isStaff) {
      balanceNote.textContent = state.show_balance ? t("balanceBarShared") : t("balanceBarStaffOnly");
      balanceNote.hidden = false;
    }
    balanceBar.hidden = false;
  }

  // --- The facilitators' controls --------------------------------------------------------

  function renderControls() {
    if (!panel) {
      return;
    }
    const s = state.state;
    const phase = state.phase;
    const visible = {
      start: s === "draft",
      pause: s === "live",
      resume: s === "paused",
      end: s === "live" || s === "paused",
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
      }
    }
    if (active && active.dataset && active.dataset.control && active.hidden) {
      const partner = panel.querySelector(`button[data-control="${PARTNER[active.dataset.control] || ""}"]`);
      rescueFocus(active, [partner], panel);
    }
    if (floorModeSelect && document.activeElement !== floorModeSelect) {
      floorModeSelect.value = floorMode();
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
    if (state) {
      renderControls();
    }
    return answer.ok;
  }

  panel?.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-control]");
    if (button && !controlBusy) {
      control(button.dataset.control);
    }
  });

  floorModeSelect?.addEventListener("change", async () => {
    const chosen = floorModeSelect.value;
    const ok = await control("floor_mode", { floor_mode: chosen });
    if (!ok && state) {
      floorModeSelect.value = floorMode();
    }
  });

  // --- The staff's participation panel ---------------------------------------------------

  function percentOf(part, whole) {
    return whole ? t("balanceShare", { percent: Math.round((100 * part) / whole) }) : t("balanceShareNone");
  }

  function lastSpoke(value) {
    const date = parseDate(value);
    if (!date) {
      return t("notSpoken");
    }
    const minutes = Math.max(0, Math.floor((Date.now() - date.getTime()) / 60000));
    if (minutes < 1) {
      return t("lastSpokeNow");
    }
    if (minutes < 60) {
      return t("lastSpokeMinutes", { minutes });
    }
    return t("lastSpokeHours", { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
  }

  function renderBalanceDetail(detail) {
    const sides = detail.sides || {};
    const people = Array.isArray(detail.participants) ? detail.participants : [];
    learnNames(people);
    const labels = Object.keys(sides);
    const totalMessages = labels.reduce((sum, label) => sum + (Number(sides[label].messages) || 0), 0);
    const totalWords = labels.reduce((sum, label) => sum + (Number(sides[label].words) || 0), 0);
    const known = state && Array.isArray(state.sides) ? state.sides.filter((label) => label in sides) : [];
    const ordered = known.concat(labels.filter((label) => !known.includes(label)));

    balanceSides.replaceChildren(...ordered.map((label) => {
      const figures = sides[label] || {};
      const item = document.createElement("li");
      item.className = "balance-side-figures";
      item.dataset.side = label;
      const name = document.createElement("strong");
      name.textContent = label;
      const text = document.createElement("span");
      text.textContent = t("balanceFigures", {
        messages: figures.messages || 0, messages_share: percentOf(figures.messages || 0, totalMessages),
        words: figures.words || 0, words_share: percentOf(figures.words || 0, totalWords),
      });
      item.append(name, text);
      return item;
    }));

    if (!people.length) {
      const none = document.createElement("li");
      none.className = "muted";
      none.textContent = t("noParticipants");
      balancePeople.replaceChildren(none);
    } else {
      balancePeople.replaceChildren(...people.map((person) => {
        const item = document.createElement("li");
        item.className = "balance-person";
        item.dataset.userId = String(person.id);
        item.dataset.silent = person.messages ? "false" : "true";
        const head = document.createElement("span");
        head.className = "balance-person-name";
        head.textContent = person.name || "";
        const side = document.createElement("span");
        side.className = "presence-details";
        side.textContent = [person.side, t("balancePerson", { messages: person.messages || 0, words: person.words || 0 }),
          lastSpoke(person.last_spoke_at)].filter(Boolean).join(" · ");
        item.append(head, side);
        return item;
      }));
    }

    const silent = Array.isArray(detail.silent) ? detail.silent : [];
    if (!silent.length) {
      const none = document.createElement("li");
      none.className = "muted";
      none.textContent = people.length ? t("everyoneSpoke") : t("noParticipants");
      balanceSilent.replaceChildren(none);
    } else {
      balanceSilent.replaceChildren(...silent.map((id) => {
        const item = document.createElement("li");
        item.dataset.userId = String(id);
        const person = people.find((p) => String(p.id) === String(id));
        item.textContent = person ? [person.name, person.side].filter(Boolean).join(" · ") : nameOf(id);
        return item;
      }));
    }
    balanceUpdated.textContent = t("balanceUpdated", { time: ctx.formatTime(new Date()) });
  }

  /** Staff: the full figures (panel and bar). Members: the side figures for the bar, while
      the facilitators share it; the `session` event does not come after every message. */
  let balanceAgain = false;

  async function refreshBalance() {
    const wanted = balancePanel || (state && state.show_balance);
    if (!wanted || stopped || !joined) {
      return;
    }
    if (balanceBusy) {
      balanceAgain = true; // a message arrived while asking: ask once more when this answer is in
      return;
    }
    balanceBusy = true;
    const answer = await ask("balance", {});
    balanceBusy = false;
    if (balanceAgain) {
      balanceAgain = false;
      window.setTimeout(refreshBalance, 0);
    }
    if (!state) {
      return;
    }
    if (answer.ok && answer.balance) {
      showError(balanceError, "");
      if (balancePanel) {
        renderBalanceDetail(answer.balance);
      }
      renderBalanceBar(answer.balance.sides);
    } else if (balancePanel) {
      showError(balanceError, errorText(answer));
    }
  }

  function refreshBalanceSoon() {
    if (!balancePanel && !(state && state.show_balance)) {
      return;
    }
    window.clearTimeout(balanceSoonTimer);
    // Members wait a little longer, at different times, so a message does not bring every
    // page of a full room to the server at once.
    const delay = balancePanel ? BALANCE_AFTER_MESSAGE_MS : BALANCE_AFTER_MESSAGE_MS + Math.random() * 2000;
    balanceSoonTimer = window.setTimeout(refreshBalance, delay);
  }

  // --- My settings: consent for the record, hidden presence -------------------------------

  function renderConsent(consent) {
    if (!consentForm) {
      return;
    }
    if (consent) {
      consentNaming.value = consent.naming;
      consentInclude.checked = Boolean(consent.include);
      const since = parseDate(consent.since);
      consentSince.textContent = since ? t("consentSince", { time: ctx.fullDate(since) }) : "";
    } else {
      // No recorded choice counts as withheld; nothing is ticked for the member.
      consentNaming.value = "pseudonym";
      consentInclude.checked = false;
      consentSince.textContent = t("consentNone");
    }
  }

  /** Draw what `join` says about me (consent, hidden presence), unless I am changing it now. */
  function applyMe(me) {
    if (!me || typeof me !== "object") {
      return;
    }
    if (me.name) {
      names.set(myId, me.name);
    }
    if (consentForm && "consent" in me && !consentForm.contains(document.activeElement)) {
      renderConsent(me.consent);
    }
    if (presenceHidden && typeof me.presence_hidden === "boolean" && document.activeElement !== presenceHidden) {
      presenceHidden.checked = me.presence_hidden;
    }
  }

  consentForm?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = consentForm.querySelector("button[type=submit]");
    if (consentBusy) {
      return;
    }
    consentBusy = true;
    setBusy(button, true);
    showError(consentError, "");
    const answer = await ask("consent", { naming: consentNaming.value, include: consentInclude.checked });
    consentBusy = false;
    setBusy(button, false);
    if (answer.ok && answer.consent) {
      renderConsent(answer.consent);
      consentSince.textContent = t("consentSaved") + " " + consentSince.textContent;
    } else {
      showError(consentError, errorText(answer));
    }
  });

  presenceHidden?.addEventListener("change", async () => {
    const hidden = presenceHidden.checked;
    if (presenceBusy) {
      presenceHidden.checked = !hidden; // one change at a time
      return;
    }
    presenceBusy = true;
    setBusy(presenceHidden, true);
    showError(presenceError, "");
    presenceStatus.textContent = "";
    const answer = await ask("presence_settings", { hidden });
    presenceBusy = false;
    setBusy(presenceHidden, false);
    if (answer.ok) {
      presenceStatus.textContent = hidden ? t("presenceHiddenOn") : t("presenceHiddenOff");
    } else {
      presenceHidden.checked = !hidden;
      showError(presenceError, errorText(answer));
    }
  });

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
    renderPhaseTime();
    renderFloorTime();
  }

  // --- Life cycle ----------------------------------------------------------------------

  function onJoined() {
    joined = true;
    if (balancePanel && balanceTimer === null) {
      balanceTimer = window.setInterval(refreshBalance, BALANCE_REFRESH_MS);
    }
    refreshBalance();
  }

  function onDisconnected() {
    joined = false;
  }

  function stop() {
    stopped = true;
    joined = false;
    window.clearInterval(tickTimer);
    window.clearInterval(balanceTimer);
    window.clearTimeout(balanceSoonTimer);
    tickTimer = null;
    balanceTimer = null;
  }

  /** The note under an open composer: that I hold the floor, else nothing. (The countdown
      stays in #floor, outside any live region, so screen readers do not read every second.) */
  function openComposerNote() {
    return isParticipant && state && floorMode() !== "open" && holdsFloor() ? t("floorYoursNote") : "";
  }

  function waitingNote() {
    return handRaised() ? t("waitForFloorRaised") : t("waitForFloor");
  }

  return {
    applySession, applyMe, learnNames, onJoined, onDisconnected, stop,
    refreshBalanceSoon, waitingForFloor, holdsFloor, openComposerNote, waitingNote,
  };
}
