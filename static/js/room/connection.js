// The room's Socket.IO connection (docs/protocol.md, "Core events"): connecting and
// reconnecting, `join` with the resume point since_seq and the `history` pages after it,
// trying again after a timeout, catching up after `resync` (events may have been lost
// between server processes), and stopping for good when the server removes us, signs us
// out or refuses access. Everything the room draws is done by the hooks; this module only
// keeps the connection and the resume point.

import {
  RETRY_DELAY_MS, closeSocket, openSocket, requester, statusLine, superviseSocket,
} from "../common.js";
import { highestSeqIn } from "./store.js";

/**
 * Open the room's connection.
 *
 * options: { sessionId, t, statusElement, loginUrl, homeUrl, hooks } with hooks:
 *   disconnected()             the socket went away (for a while or for good)
 *   reconnecting()             it went away and will come back by itself
 *   stopped(text, link, label) stopped for good: say why, with an optional link
 *   joinStarted() -> settle()  a join begins; settle() is called when it is over, either way
 *   refusedForNow(text)        `join` refused for a reason that may pass: say so (it is tried again)
 *   joined(answer)             `join` accepted: the session's state and mine, before the pages
 *   absorb(messages)           one page of messages (from `join` or `history`)
 *   highestSeq()               the highest seq of the messages known so far
 *   synced()                   every page read: live events continue from here
 */
export function createConnection({ sessionId, t, statusElement, loginUrl, homeUrl, hooks }) {
  const socket = openSocket();
  const request = requester(socket);
  const setConnection = statusLine(statusElement, t);
  // Resume point for `join` after a reconnect: every change up to it has been seen.
  let lastSeq = 0;
  // The resume point of the last complete catch-up (join, resync): live events do not move
  // it, so after a `resync` (events may have been lost between server processes) reading
  // from it cannot skip a message that never arrived while later ones did.
  let syncedSeq = 0;
  let syncing = false; // between `join` and the last `history` page
  let catchingUp = false;
  let resyncWanted = false;
  let joined = false;
  let stopped = false; // removed, signed out or refused: no more reconnecting

  superviseSocket(socket, {
    isStopped: () => stopped,
    setConnection,
    onConnect: join,
    onDisconnect: () => {
      joined = false;
      hooks.disconnected();
    },
    // The server dropped this socket on purpose without a `removed` first. As the protocol
    // asks, do not reconnect by ourselves; the person can reload the page.
    onServerDisconnect: () => stop(t("disconnectedByServer"), window.location.pathname, t("reload")),
    onUnauthorized: () => stop(t("signInAgain"), loginUrl, t("signIn")),
    onReconnecting: () => hooks.reconnecting(),
  });

  socket.on("removed", (payload) => {
    if (payload && payload.session_id && payload.session_id !== sessionId) {
      return;
    }
    const reason = payload && payload.reason;
    if (reason === "logged_out") {
      stop(t("loggedOut"), loginUrl, t("signIn"));
    } else if (reason === "account_deactivated") {
      stop(t("accountDeactivated"));
    } else if (reason === "removed") {
      stop(t("removedFromSession"), homeUrl, t("backHome"));
    } else {
      stop(t("disconnectedByServer"), homeUrl, t("backHome"));
    }
  });

  /** Stop for good: say why (with an optional link) and never reconnect. */
  function stop(text, link = null, linkText = "") {
    stopped = true;
    joined = false;
    closeSocket(socket);
    setConnection("disconnected");
    hooks.stopped(text, link, linkText);
  }

  /** Join (or re-join after a reconnect) and fetch everything changed since lastSeq. */
  async function join() {
    if (stopped) {
      return;
    }
    syncing = true;
    const settle = hooks.joinStarted();
    try {
      let answer = await request("join", { session_id: sessionId, since_seq: lastSeq });
      if (!answer || !answer.ok) {
        refused(answer);
        return;
      }
      hooks.joined(answer);
      let cursor = absorbPage(answer);
      while (answer.more) {
        answer = await request("history", { session_id: sessionId, since_seq: cursor });
        if (!answer || !answer.ok) {
          throw new Error("history refused");
        }
        cursor = absorbPage(answer);
      }
      // Everything up to the server's last_seq is now known; live events continue from here.
      lastSeq = Math.max(lastSeq, cursor, hooks.highestSeq());
      syncedSeq = Math.max(syncedSeq, cursor);
      joined = true;
      hooks.synced();
      if (resyncWanted) {
        catchUp();
      }
    } catch (error) {
      // A timeout or a lost connection: try again while connected; reconnecting re-joins.
      if (!stopped && socket.connected) {
        window.setTimeout(() => {
          if (!stopped && socket.connected && !joined) {
            join();
          }
        }, RETRY_DELAY_MS);
      }
    } finally {
      syncing = false;
      settle();
    }
  }

  /** After `resync`: read every change since the last complete catch-up, page by page. */
  async function catchUp() {
    if (stopped || !joined || syncing || catchingUp) {
      resyncWanted = true; // once the join or the catch-up under way is done
      return;
    }
    catchingUp = true;
    resyncWanted = false;
    try {
      let cursor = syncedSeq;
      let answer;
      do {
        answer = await request("history", { session_id: sessionId, since_seq: cursor });
        if (!answer || !answer.ok) {
          throw new Error("history refused");
        }
        cursor = absorbPage(answer);
      } while (answer.more);
      lastSeq = Math.max(lastSeq, cursor);
      syncedSeq = Math.max(syncedSeq, cursor);
    } catch (error) {
      resyncWanted = true; // a reconnect re-joins; otherwise the next resync tries again
    } finally {
      catchingUp = false;
    }
  }

  socket.on("resync", () => catchUp());

  function refused(answer) {
    const error = (answer && answer.error) || {};
    if (error.code === "forbidden" || error.code === "not_found") {
      stop(t("noAccess"), homeUrl, t("backHome"));
    } else if (error.code === "unauthorized") {
      stop(t("signInAgain"), loginUrl, t("signIn"));
    } else {
      hooks.refusedForNow(t("joinFailed", { message: error.message || "" }));
      throw new Error("join refused");
    }
  }

  /** Take one page of a join/history answer; return its last_seq. */
  function absorbPage(page) {
    hooks.absorb(Array.isArray(page.messages) ? page.messages : []);
    const pageLast = Number.isInteger(page.last_seq) ? page.last_seq : 0;
    return Math.max(pageLast, highestSeqIn(page.messages));
  }

  /** A live change was taken: move the resume point to it. While a join is still paging
      through history the resume point stays where the pages are, so that a reconnect in
      between does not skip the pages not yet read. */
  function sawLive(seq) {
    if (!syncing && Number.isInteger(seq)) {
      lastSeq = Math.max(lastSeq, seq);
    }
  }

  return {
    request,
    stop,
    sawLive,
    /** Listen to a server event. */
    on: (event, handler) => socket.on(event, handler),
    /** Whether the room stopped for good. */
    isStopped: () => stopped,
    /** Whether the socket is connected now. */
    isConnected: () => socket.connected,
    /** Whether the room is joined and connected, so a message can go out now. */
    isReady: () => joined && socket.connected,
    /** Show "connecting" until the first connect. */
    start: () => setConnection("connecting"),
  };
}
