// Confirmation of an irreversible action (ending a session, removing a member, redacting,
// publishing) in the page's own <dialog id="confirm-dialog"> (templates/_macros.html,
// confirm_dialog): a sentence that says what the action means, Confirm and Cancel. Focus
// moves into the dialog (to Cancel, the safe choice) and goes back to where it was after;
// Escape cancels. Like every page script it holds no user-visible text: the sentences come
// from the trigger's data-confirm-* attributes, already translated by the server.
//
// Forms with data-confirm-text ask before they are sent, and once confirmed they carry
// confirmed=yes. Without script the server itself asks on a page of its own, so nothing
// irreversible happens on one click either way.

/**
 * Ask. Resolves to true on Confirm, false on Cancel, Escape or when the page has no dialog.
 *
 * options: { title, text, confirmLabel, returnTo (the element focus goes back to) }
 */
export function askConfirmation({ title = "", text = "", confirmLabel = "", returnTo = null } = {}) {
  const dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function" || dialog.open) {
    return Promise.resolve(false);
  }
  const back = returnTo || document.activeElement;
  const heading = dialog.querySelector("[data-confirm-title]");
  const sentence = dialog.querySelector("[data-confirm-sentence]");
  const confirm = dialog.querySelector("button[value=confirm]");
  const cancel = dialog.querySelector("button[value=cancel]");
  heading.textContent = title || heading.dataset.confirmTitle;
  sentence.textContent = text;
  confirm.textContent = confirmLabel || confirm.dataset.label;
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      if (back && back.isConnected && typeof back.focus === "function") {
        back.focus();
      }
      resolve(dialog.returnValue === "confirm");
    }, { once: true });
    dialog.showModal();
    cancel.focus();
  });
}

/** Make every form[data-confirm-text] under `root` ask before it is sent. */
export function confirmForms(root = document) {
  for (const form of root.querySelectorAll("form[data-confirm-text]")) {
    form.addEventListener("submit", async (event) => {
      if (form.dataset.confirmedOnce === "yes") {
        return;
      }
      event.preventDefault();
      const submitter = event.submitter || form.querySelector("[type=submit]");
      const ok = await askConfirmation({
        title: form.dataset.confirmTitle, text: form.dataset.confirmText,
        confirmLabel: form.dataset.confirmLabel, returnTo: submitter,
      });
      if (!ok) {
        return;
      }
      let field = form.querySelector("input[name=confirmed]");
      if (!field) {
        field = document.createElement("input");
        field.type = "hidden";
        field.name = "confirmed";
        form.append(field);
      }
      field.value = "yes";
      form.dataset.confirmedOnce = "yes";
      form.submit();
    });
  }
}
