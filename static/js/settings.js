// The settings page: the notification and sound controls of this browser (../alerts.js),
// shown only where the script runs.

import { createAlerts } from "./alerts.js";
import { translator } from "./common.js";

const section = document.getElementById("notifications");
if (section) {
  section.querySelector(".alert-controls").hidden = false;
  createAlerts({
    t: translator(section),
    button: document.getElementById("notifications-button"),
    state: document.getElementById("notifications-state"),
    soundToggle: document.getElementById("sound-toggle"),
  });
}
