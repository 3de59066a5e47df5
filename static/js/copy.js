// Copy buttons: <button data-copy-target="input-id" data-copy-status="status-id"
// data-copied-text="…" data-copy-failed-text="…" hidden>. The buttons stay hidden without
// this script; the read-only field beside them can always be selected and copied by hand.

async function copyText(field) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(field.value);
    return;
  }
  // Outside a secure context (plain HTTP on a LAN address) the Clipboard API is missing.
  field.focus();
  field.select();
  if (!document.execCommand("copy")) {
    throw new Error("copy refused");
  }
}

for (const button of document.querySelectorAll("button[data-copy-target]")) {
  const field = document.getElementById(button.dataset.copyTarget);
  const status = document.getElementById(button.dataset.copyStatus || "");
  if (!field) {
    continue;
  }
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await copyText(field);
      if (status) {
        status.textContent = button.dataset.copiedText || "";
      }
    } catch (error) {
      field.focus();
      field.select();
      if (status) {
        status.textContent = button.dataset.copyFailedText || "";
      }
    }
  });
}

// Selecting the whole value on focus makes copying by hand one gesture too.
for (const field of document.querySelectorAll("input.copy-value[readonly]")) {
  field.addEventListener("focus", () => field.select());
}
