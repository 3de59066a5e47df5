// "Here now": who is in the room, from the server's `presence` events (docs/protocol.md).
// Names go in with textContent; the list is marked stale while the connection is down.
// The server leaves members who hid their presence out of the list; a member who hid theirs
// still sees themselves in it, marked "you (hidden)".

import { el } from "../common.js";
import { roleLabel } from "./render.js";

/**
 * The presence list.
 *
 * options: { t, myId, list, count } (list: the <ul> of members, count: where "(3)" goes)
 */
export function createPresence({ t, myId, list, count }) {
  const hiddenBox = document.getElementById("presence-hidden"); // my "Hide my online status"
  let me = null; // my member object from `join`
  let last = null; // the server's latest list

  function hiddenSelf() {
    const hidden = hiddenBox ? hiddenBox.checked : Boolean(me && me.presence_hidden);
    return hidden && me && String(me.id) === myId ? me : null;
  }

  /** Draw the members online now. */
  function render(online) {
    last = online;
    const self = online.some((member) => String(member.id) === myId) ? null : hiddenSelf();
    const shown = self ? [...online, self] : online;
    const items = shown.map((member) => {
      const item = document.createElement("li");
      item.className = "presence-member";
      item.dataset.memberId = String(member.id);
      item.append(el("span", "presence-name", member.name || roleLabel(t, member.role)));
      if (member === self) {
        item.dataset.hidden = "true";
        item.append(" ", el("span", "presence-you", t("youHidden")));
      } else if (String(member.id) === myId) {
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
    count.textContent = "(" + shown.length + ")";
  }

  /** What `join` says about me (with presence_hidden); the list is drawn again. */
  function setMe(member) {
    me = member && typeof member === "object" ? member : null;
    if (last) {
      render(last);
    }
  }

  /** The connection is down: what is shown may be out of date. */
  function markStale() {
    list.dataset.stale = "true";
  }

  /** The room stopped: nobody is shown. */
  function clear() {
    last = null;
    list.replaceChildren();
    count.textContent = "";
  }

  return { render, setMe, markStale, clear };
}
