// Each member's own settings in the room (docs/protocol.md, "Facilitation"): consent for
// the record (how I am named in a published transcript, and whether my words are in it),
// sent with `consent`, and hiding myself from "Here now", sent with `presence_settings`.

import { parseDate } from "../common.js";
import { setBusy, showError } from "./ui.js";

/**
 * My settings panel.
 *
 * shared: { t, ctx, ask(event, payload), errorText(answer) } (room/facilitation.js)
 */
export function createMySettings(shared) {
  const { t, ctx, ask, errorText } = shared;
  const $ = (id) => document.getElementById(id);
  const consentForm = $("consent-form");
  const consentNaming = $("consent-naming");
  const consentInclude = $("consent-include");
  const consentSince = $("consent-since");
  const consentError = $("consent-error");
  const presenceHidden = $("presence-hidden");
  const presenceStatus = $("presence-status");
  const presenceError = $("presence-error");
  let consentBusy = false;
  let presenceBusy = false;

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

  return { applyMe };
}
