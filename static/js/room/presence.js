// "Here now": who is in the room, from the server's `presence` events (docs/protocol.md).
// Names go in with textContent; the list is marked stale while the connection is down.

import { el } from "../common.js";
import { roleLabel } from "./render.js";

/**
 * The presence list.
 *
 * options: { t, myId, list, count } (list: the <ul> of members, count: where "(3)" goes)
 */
export function createPresence({ t, myId, list, count }) {
  /** Draw the members online now. */
  function render(online) {
    const items = online.map((member) => {
      const item = document.createElement("li");
      item.className = "presence-member";
      item.dataset.memberId = String(member.id);
      item.append(el("span", "presence-name", member.name || roleLabel(t, member.role)));
      if (String(member.id) === myId) {
        item.append(" ", el("span", "presence-you", "(" + t("you") + ")"));
      }
      const details = [];
      if (member.side) {
        details.push(member.side);
      }
      if (member.role) {
        details.push(roleLabel(t, member.role));
      }
      if (details.length) {
        item.append(el("span", "presence-details", details.join(" · ")));
      }
      return item;
    });
    list.replaceChildren(...items);
    list.dataset.stale = "false";
    count.textContent = "(" + online.length + ")";
  }

  /** The connection is down: what is shown may be out of date. */
  function markStale() {
    list.dataset.stale = "true";
  }

  /** The room stopped: nobody is shown. */
  function clear() {
    list.replaceChildren();
    count.textContent = "";
  }

  return { render, markStale, clear };
}
