// The clients of bench/broadcast.py, the same for both servers: `clients` socket.io-client v4
// connections (websocket) with auth {token}; once every one has its `connected` event, one
// POST /bench/emit asks the server for `count` events to the mill room; prints deliveries/s from
// that request to the last delivery, as JSON, and whether each client got every event exactly
// once and in order (each event carries its index `i`).
// `ports` is one port or several separated by commas (server processes sharing a message queue):
// client n connects to ports[n % ports.length]; the POST goes to the first.
// Usage: node clients.js <ports> <token> <millId> <clients> <count> [batch] [padding]
const http = require("http");
const { io } = require("socket.io-client");

const ports = process.argv[2].split(",").map(Number);
const [port, token, millId] = [ports[0], process.argv[3], process.argv[4]];
const clients = Number(process.argv[5]);
const count = Number(process.argv[6]);
const batch = Number(process.argv[7] || 100);
const padding = Number(process.argv[8] || 400);
const expected = clients * count;

let connected = 0;
let received = 0;
let start = 0;
let last = 0;
const errors = [];
const sockets = [];
const next = new Array(clients).fill(0); // per client: the index of the event it expects next
const wrong = new Array(clients).fill(false); // per client: got a duplicate or an event out of order
let duplicates = 0; // an event a client had already received
let outOfOrder = 0; // an event that came before one that precedes it (a gap)
const perPort = Object.fromEntries(ports.map((p) => [p, 0])); // deliveries by the server that made them

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
      ports: ports.length,
      connected,
      expected,
      received,
      duplicates,
      out_of_order: outOfOrder,
      received_per_server: ports.map((p) => perPort[p]),
      // clients that got events 0 .. count-1 each exactly once, in order
      complete_in_order: next.filter((got, n) => got === count && !wrong[n]).length,
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

// At most IN_FLIGHT handshakes at once: each takes a database connection on the server (the token
// check), and the database's connections are shared with everything else on the machine.
const IN_FLIGHT = 20;
let opened = 0;
function openNext() {
  if (opened < clients) openClient(opened++);
}

function openClient(n) {
  const url = `http://127.0.0.1:${ports[n % ports.length]}`;
  const s = io(url, { transports: ["websocket"], auth: { token }, forceNew: true, reconnection: false });
  s.on("connected", () => {
    connected += 1;
    openNext();
    if (connected === clients) trigger();
    else if (errors.length && errors.length + connected === clients) finish({ failed: true });
  });
  s.on("bench:tick", (data) => {
    if (data.i === next[n]) next[n] += 1;
    else if (data.i < next[n]) {
      duplicates += 1;
      wrong[n] = true;
    } else {
      outOfOrder += 1;
      wrong[n] = true;
      next[n] = data.i + 1;
    }
    received += 1;
    perPort[ports[n % ports.length]] += 1;
    last = process.hrtime.bigint();
  });
  s.on("connect_error", (e) => {
    errors.push(String(e && e.message));
    openNext();
    if (errors.length + connected === clients) finish({ failed: true });
  });
  sockets.push(s);
}
for (let k = 0; k < IN_FLIGHT; k++) openNext();
setTimeout(() => finish({ timeout_connecting: true }), 180000);
