// The side balance (docs/protocol.md, "Facilitation"): the bar of each side's share of the
// messages (everyone, while the facilitators share it; staff always), and the staff's
// participation panel with each side's and each participant's figures and who has not
// spoken yet. The figures come from `balance`, asked for again a little after each message
// and, for staff, every few seconds.

import { parseDate } from "../common.js";
import { showError } from "./ui.js";

const BALANCE_REFRESH_MS = 10000;
const BALANCE_AFTER_MESSAGE_MS = 800;

/**
 * The balance bar and panel.
 *
 * shared: { t, ctx, state(), active(), nameOf(id), learnNames(members), ask(event, payload),
 *           errorText(answer) } (room/facilitation.js); active() is joined and not stopped.
 */
export function createBalance(shared) {
  const { t, ctx, nameOf, learnNames, ask, errorText } = shared;
  const getState = shared.state;
  const $ = (id) => document.getElementById(id);
  const balanceBar = $("balance-bar");
  const balanceNote = $("balance-bar-note");
  const balancePanel = $("balance-panel");
  const balanceError = $("balance-error");
  const balanceSides = $("balance-sides");
  const balancePeople = $("balance-people");
  const balanceSilent = $("balance-silent");
  const balanceUpdated = $("balance-updated");
  let balanceTimer = null;
  let balanceSoonTimer = null;
  let balanceBusy = false;

  // --- The side-balance bar (everyone, when the balance is shared) -----------------------

  function sideOrder(balance) {
    const state = getState();
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
    const state = getState();
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
    const state = getState();
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
        item.dataset.memberId = String(person.id);
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
        item.dataset.memberId = String(id);
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
    const state = getState();
    const wanted = balancePanel || (state && state.show_balance);
    if (!wanted || !shared.active()) {
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
    if (!getState()) {
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
    const state = getState();
    if (!balancePanel && !(state && state.show_balance)) {
      return;
    }
    window.clearTimeout(balanceSoonTimer);
    // Members wait a little longer, at different times, so a message does not bring every
    // page of a full room to the server at once.
    const delay = balancePanel ? BALANCE_AFTER_MESSAGE_MS : BALANCE_AFTER_MESSAGE_MS + Math.random() * 2000;
    balanceSoonTimer = window.setTimeout(refreshBalance, delay);
  }

  /** Joined: staff ask for the figures every few seconds; everyone asks once now. */
  function start() {
    if (balancePanel && balanceTimer === null) {
      balanceTimer = window.setInterval(refreshBalance, BALANCE_REFRESH_MS);
    }
    refreshBalance();
  }

  /** Stopped for good: no more asking. */
  function stop() {
    window.clearInterval(balanceTimer);
    window.clearTimeout(balanceSoonTimer);
    balanceTimer = null;
  }

  return { renderBar: renderBalanceBar, refreshSoon: refreshBalanceSoon, start, stop };
}
