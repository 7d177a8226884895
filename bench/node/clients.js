// The clients of bench/broadcast.py, the same for both servers: `clients` socket.io-client v4
// connections (websocket) with auth {token}; once every one has its `connected` event, one
// POST /bench/emit asks the server for `count` events to the mill room; prints deliveries/s from
// that request to the last delivery, as JSON.
// Usage: node clients.js <port> <token> <millId> <clients> <count> [batch] [padding]
const http = require("http");
const { io } = require("socket.io-client");

const [port, token, millId] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const clients = Number(process.argv[5]);
const count = Number(process.argv[6]);
const batch = Number(process.argv[7] || 100);
const padding = Number(process.argv[8] || 400);
const url = `http://127.0.0.1:${port}`;
const expected = clients * count;

let connected = 0;
let received = 0;
let start = 0;
let last = 0;
const errors = [];
const sockets = [];

function post(path, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(
      { host: "127.0.0.1", port, path, method: "POST", headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) } },
      (res) => {
        let raw = "";
        res.on("data", (c) => (raw += c));
        res.on("end", () => resolve(JSON.parse(raw)));
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

function finish(extra) {
  const seconds = last && start ? Number(last - start) / 1e9 : null;
  console.log(
    JSON.stringify({
      clients,
      connected,
      expected,
      received,
      seconds,
      deliveries_per_s: seconds ? received / seconds : null,
      errors: errors.slice(0, 3),
      ...extra,
    }),
  );
  sockets.forEach((s) => s.close());
  process.exit(0);
}

async function trigger() {
  start = process.hrtime.bigint();
  const timer = setTimeout(() => finish({ timeout: true }), 120000);
  const answer = await post("/bench/emit", { millId, count, batch, padding });
  const check = setInterval(() => {
    if (received >= expected) {
      clearInterval(check);
      clearTimeout(timer);
      finish({ server_emit_seconds: answer.seconds });
    }
  }, 5);
}

for (let n = 0; n < clients; n++) {
  const s = io(url, { transports: ["websocket"], auth: { token }, forceNew: true, reconnection: false });
  s.on("connected", () => {
    connected += 1;
    if (connected === clients) trigger();
  });
  s.on("bench:tick", () => {
    received += 1;
    last = process.hrtime.bigint();
  });
  s.on("connect_error", (e) => {
    errors.push(String(e && e.message));
    if (errors.length + connected === clients) finish({ failed: true });
  });
  sockets.push(s);
}
setTimeout(() => finish({ timeout_connecting: true }), 180000);
