// The seed's browser SocketService (implementation-part-5-realtime.md, section 7), unchanged in
// substance, run by Node with the official socket.io-client against a live ricemill server.
//
// Env: BASE_URL, PASSWORD, EMAIL_A1, EMAIL_A2 (two users of mill A), EMAIL_B (a user of mill B),
// MILL_A. Prints one JSON line with what was observed; exits 1 with a reason on any failure.
import { io } from 'socket.io-client';

const BASE = process.env.BASE_URL;
const TIMEOUT_MS = 8000;

class SocketService {
  constructor() {
    this.socket = null;
    this.received = [];
  }

  connect(token) {
    this.socket = io(BASE, {
      auth: { token },
      transports: ['websocket', 'polling'],
      reconnection: false,
    });
    this.socket.onAny((event, ...args) => this.received.push([event, args[0]]));
    this.socket.on('error', (error) => this.received.push(['error', error]));
    return this.socket;
  }

  disconnect() {
    if (this.socket) this.socket.disconnect();
  }

  joinMill(millId) {
    this.socket?.emit('join:mill', millId);
  }

  leaveMill(millId) {
    this.socket?.emit('leave:mill', millId);
  }

  onPurchaseCreated(callback) {
    this.socket?.on('purchase:created', callback);
  }

  onNotification(callback) {
    this.socket?.on('notification', callback);
  }

  requestDashboard(millId) {
    this.socket?.emit('request:dashboard', millId);
  }

  onDashboardStats(callback) {
    this.socket?.on('dashboard:stats', callback);
  }

  removeAllListeners() {
    this.socket?.removeAllListeners();
  }
}

function fail(reason) {
  console.error(`FAIL: ${reason}`);
  process.exit(1);
}

function once(socket, event) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), TIMEOUT_MS);
    socket.once(event, (data) => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

// Key order differs (the REST answer is sorted): compare canonical forms.
function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical(value[key])]));
  }
  return value;
}

function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function login(email) {
  const response = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: process.env.PASSWORD }),
  });
  if (response.status !== 200) fail(`login ${email}: ${response.status}`);
  return (await response.json()).data;
}

// A refused handshake reaches the client as connect_error with the seed's message.
function refusal(auth) {
  return new Promise((resolve, reject) => {
    const socket = io(BASE, { auth, transports: ['websocket'], reconnection: false });
    const timer = setTimeout(() => reject(new Error('no connect_error')), TIMEOUT_MS);
    socket.on('connect', () => reject(new Error('refused handshake connected')));
    socket.on('connect_error', (error) => {
      clearTimeout(timer);
      socket.close();
      resolve(error.message);
    });
  });
}

async function main() {
  const millA = process.env.MILL_A;
  const refusals = [await refusal({}), await refusal({ token: 'not-a-token' })];
  if (refusals[0] !== 'Authentication token required' || refusals[1] !== 'Invalid token') {
    fail(`refusals ${JSON.stringify(refusals)}`);
  }
  const [a1, a2, b] = await Promise.all(
    [process.env.EMAIL_A1, process.env.EMAIL_A2, process.env.EMAIL_B].map(login),
  );
  const s1 = new SocketService();
  const s2 = new SocketService();
  const sb = new SocketService();
  const connected = await Promise.all(
    [
      [s1, a1],
      [s2, a2],
      [sb, b],
    ].map(([service, who]) => once(service.connect(who.accessToken), 'connected')),
  );
  connected.forEach((data, i) => {
    const who = [a1, a2, b][i];
    if (data.userId !== who.user.id || data.message !== 'Connected successfully') {
      fail(`connected payload ${JSON.stringify(data)}`);
    }
  });

  // join:mill: own mill answered by event and by ack; another mill refused
  const joined = once(s1.socket, 'joined:mill');
  s1.joinMill(millA);
  if ((await joined).millId !== millA) fail('joined:mill');
  const ack = await s1.socket.timeout(TIMEOUT_MS).emitWithAck('join:mill', millA);
  if (ack.ok !== true) fail(`join ack ${JSON.stringify(ack)}`);
  const denied = once(sb.socket, 'error');
  sb.joinMill(millA);
  if ((await denied).message !== 'Access denied to this mill') fail('cross-mill join not refused');

  // a purchase created over REST arrives as purchase:created and notification
  const created = new Promise((resolve) => s2.onPurchaseCreated(resolve));
  const notified = new Promise((resolve) => s2.onNotification(resolve));
  const response = await fetch(`${BASE}/api/v1/mills/${millA}/paddy-purchases`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${a1.accessToken}` },
    body: JSON.stringify({
      farmerName: 'Suresh',
      grossWeightKg: 1250,
      moisturePercent: 14,
      ratePerQuintal: 2000,
      purchaseDate: '2026-11-20',
    }),
  });
  if (response.status !== 201) fail(`purchase ${response.status} ${await response.text()}`);
  const purchase = (await response.json()).data;
  const [event, notification] = await within(Promise.all([created, notified]), 'purchase:created and notification');
  if (event.purchase.id !== purchase.id || event.createdBy.id !== a1.user.id) fail('purchase:created payload');
  if (JSON.stringify(canonical(event.purchase)) !== JSON.stringify(canonical(purchase))) {
    fail(`event purchase differs from REST: ${JSON.stringify(event.purchase)} vs ${JSON.stringify(purchase)}`);
  }

  // request:dashboard answers dashboard:stats
  const stats = new Promise((resolve) => s2.onDashboardStats(resolve));
  s2.requestDashboard(millA);
  const dashboard = await within(stats, 'dashboard:stats');
  if (typeof dashboard !== 'object' || dashboard === null) fail('dashboard:stats payload');

  // typing reaches the other user of the mill only
  const typing = once(s2.socket, 'activity:typing');
  s1.socket.emit('activity:typing', { millId: millA, entity: 'purchase', action: 'creating' });
  const typed = await typing;
  if (typed.user.id !== a1.user.id || typed.entity !== 'purchase' || typed.action !== 'creating') {
    fail(`typing payload ${JSON.stringify(typed)}`);
  }
  const stop = once(s2.socket, 'activity:stop-typing');
  s1.socket.emit('activity:stop-typing', { millId: millA });
  if ((await stop).user.id !== a1.user.id) fail('stop-typing payload');
  await sleep(300); // anything misrouted would have arrived by now

  const names = (service) => service.received.map(([name]) => name);
  if (names(s1).includes('activity:typing') || names(s1).includes('activity:stop-typing')) {
    fail('typing echoed to the sender');
  }
  // its own mill's position (right after connect) is the only event mill B's user may have: never A's
  const own = ([name, payload]) => name === 'mill:position' && payload.millId !== millA;
  const leaked = sb.received.filter((entry) => !own(entry)).map(([name]) => name)
    .filter((name) => !['connected', 'error'].includes(name));
  if (leaked.length) fail(`mill B's user received ${leaked.join(', ')}`);

  for (const service of [s1, s2, sb]) {
    service.removeAllListeners();
    service.disconnect();
  }
  console.log(
    JSON.stringify({
      ok: true,
      refusals,
      purchaseCreated: event,
      notification,
      dashboard,
      typing: typed,
      received: { a1: names(s1), a2: names(s2), b: names(sb) },
    }),
  );
}

main().catch((error) => fail(error.stack || String(error)));
