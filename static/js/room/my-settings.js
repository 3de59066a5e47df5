// Each member's own settings in the room (docs/protocol.md, "Facilitation"): consent for
// the record (how I am named in a published transcript, and whether my words are in it),
// sent with `consent`, and hiding myself from "Here now", sent with `presence_settings`.
// Consent is an active choice: the page says in words what I chose, and with no choice
// recorded nothing is selected for me (my words stay out until I choose).

import { parseDate, translator } from "../common.js";
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
  // The sentences of the consent part sit on its form.
  const tc = consentForm ? translator(consentForm) : () => "";
  const consentCurrent = $("consent-current");
  const consentSince = $("consent-since");
  const consentError = $("consent-error");
  const presenceHidden = $("presence-hidden");
  const presenceStatus = $("presence-status");
  const presenceError = $("presence-error");
  let consentBusy = false;
  let presenceBusy = false;

  /** The radio buttons of one question ("naming" or "include"). */
  function options(name) {
    return Array.from(consentForm.querySelectorAll(`input[type=radio][name=${name}]`));
  }

  function choose(name, value) {
    for (const option of options(name)) {
      option.checked = value !== null && option.value === value;
    }
  }

  function chosen(name) {
    const option = options(name).find((input) => input.checked);
    return option ? option.value : null;
  }

  /** What I chose, in words, from the choice in force (null: none recorded). */
  function describe(consent) {
    if (!consent) {
      return t("consentNone");
    }
    const naming = { pseudonym: "namingPseudonym", side: "namingSide", none: "namingNone", named: "namingNamed" };
    return `${tc(naming[consent.naming] || "namingNone")} ${tc(consent.include ? "includeYes" : "includeNo")}`;
  }

  function renderConsent(consent) {
    if (!consentForm) {
      return;
    }
    consentCurrent.textContent = describe(consent);
    if (consent) {
      choose("naming", consent.naming);
      choose("include", consent.include ? "yes" : "no");
      const since = parseDate(consent.since);
      consentSince.textContent = since ? t("consentSince", { time: ctx.fullDate(since) }) : "";
    } else {
      // No recorded choice counts as withheld; nothing is selected for the member.
      choose("naming", null);
      choose("include", null);
      consentSince.textContent = "";
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
    const naming = chosen("naming");
    const include = chosen("include");
    if (naming === null || include === null) {
      consentBusy = false;
      setBusy(button, false);
      showError(consentError, tc("chooseBoth"));
      return;
    }
    const answer = await ask("consent", { naming, include: include === "yes" });
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
