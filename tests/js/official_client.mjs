// Drives a dialogue server with the official socket.io-client 4.x, as an outside client would.
// Usage: node official_client.mjs URL TOKEN SESSION_ID
// Prints one JSON object describing what happened; exits non-zero on an unexpected failure.
import { io } from "socket.io-client";

const [url, token, sessionId] = process.argv.slice(2);
const deadline = setTimeout(() => { console.error("timed out"); process.exit(2); }, 20000);

function connect(auth) {
  return new Promise((resolve) => {
    const socket = io(url, { auth, transports: ["websocket"], reconnection: false });
    socket.on("connect", () => resolve({ socket, error: null }));
    socket.on("connect_error", (err) => resolve({ socket, error: { message: err.message, data: err.data } }));
  });
}

const result = {};
const refused = await connect({ token: "dlg_wrong" });
result.refused = refused.error;
refused.socket.close();

const anonymous = await connect(undefined);
result.anonymous = anonymous.error;
anonymous.socket.close();

const { socket, error } = await connect({ token });
if (error) { console.error(JSON.stringify(error)); process.exit(1); }
const live = [];
socket.on("message", (m) => live.push(m));
const call = (event, payload) => socket.timeout(10000).emitWithAck(event, payload);

result.join = await call("join", { session_id: sessionId, since_seq: 0 });
result.send = await call("send", { session_id: sessionId, client_id: "official-1", body: "Hello from **socket.io-client**" });
result.resend = await call("send", { session_id: sessionId, client_id: "official-1", body: "Hello again" });
result.empty = await call("send", { session_id: sessionId, client_id: "official-2", body: "   " });
await new Promise((resolve) => {
  const check = () => (live.length >= 1 ? resolve() : setTimeout(check, 20));
  check();
});
result.live = live;
result.history = await call("history", { session_id: sessionId, since_seq: 0 });
result.leave = await call("leave", { session_id: sessionId });
socket.close();
clearTimeout(deadline);
console.log(JSON.stringify(result));
