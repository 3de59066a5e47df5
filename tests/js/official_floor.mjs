// The member-id events of protocol version 2 with the official socket.io-client 4.x: a
// facilitator switches to the queue mode, a participant raises a hand, the facilitator gives
// the floor by member id, the participant writes, and the facilitator warns them by member id.
// Usage: node official_floor.mjs URL FACILITATOR_TOKEN PARTICIPANT_TOKEN SESSION_ID
// Prints one JSON object describing what happened; exits non-zero on an unexpected failure.
import { io } from "socket.io-client";

const [url, hostToken, guestToken, sessionId] = process.argv.slice(2);
const deadline = setTimeout(() => { console.error("timed out"); process.exit(2); }, 20000);

function connect(token) {
  return new Promise((resolve, reject) => {
    const socket = io(url, { auth: { token }, transports: ["websocket"], reconnection: false });
    socket.on("connect", () => resolve(socket));
    socket.on("connect_error", (err) => reject(err));
  });
}

function waitFor(list, predicate) {
  return new Promise((resolve) => {
    const check = () => {
      const found = list.find(predicate);
      if (found) { resolve(found); } else { setTimeout(check, 20); }
    };
    check();
  });
}

const host = await connect(hostToken);
const guest = await connect(guestToken);
const hostSessions = [];
const guestNotices = [];
host.on("session", (state) => hostSessions.push(state));
guest.on("notice", (notice) => guestNotices.push(notice));
const ask = (socket, event, payload) => socket.timeout(10000).emitWithAck(event, payload);

const result = {};
result.hostJoin = await ask(host, "join", { session_id: sessionId });
result.guestJoin = await ask(guest, "join", { session_id: sessionId });
const me = result.guestJoin.me.id;
result.queueMode = await ask(host, "session_control", { session_id: sessionId, action: "floor_mode", floor_mode: "queue" });
result.early = await ask(guest, "send", { session_id: sessionId, client_id: "floor-1", body: "Too early" });
result.hand = await ask(guest, "hand", { session_id: sessionId, raised: true });
result.handsSeen = (await waitFor(hostSessions, (s) => Array.isArray(s.hands) && s.hands.includes(me))).hands;
result.give = await ask(host, "floor", { session_id: sessionId, member_id: me, seconds: 60 });
result.floorSeen = (await waitFor(hostSessions, (s) => s.floor && s.floor.member_id === me)).floor;
result.send = await ask(guest, "send", { session_id: sessionId, client_id: "floor-2", body: "My turn" });
result.warn = await ask(host, "sanction", { session_id: sessionId, member_id: me, action: "warn", reason: "Please stay on topic" });
result.notice = await waitFor(guestNotices, (n) => n.kind === "warned");
result.byAccountId = await ask(host, "sanction", { session_id: sessionId, member_id: 1, action: "warn", reason: "x" });
result.take = await ask(host, "floor", { session_id: sessionId, member_id: null });
host.close();
guest.close();
clearTimeout(deadline);
console.log(JSON.stringify(result));
