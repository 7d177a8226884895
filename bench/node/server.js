// Reference Socket.IO 4 server for bench/broadcast.py: the same job as the bench server's
// POST /bench/emit (count events back to back to one mill room, yielding every `batch`).
// Clients send auth {token} (the product's JWT); the room comes from its millId claim, read
// without verifying: this server only measures broadcasting. Listens on 127.0.0.1 only.
const http = require("http");
const { Server } = require("socket.io");

const port = Number(process.argv[2]);
const httpServer = http.createServer((req, res) => {
  if (req.method === "POST" && req.url === "/bench/emit") {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", async () => {
      const body = JSON.parse(raw);
      const count = Number(body.count);
      const batch = Number(body.batch || 100);
      const pad = "x".repeat(Number(body.padding ?? 400));
      const room = `mill:${body.millId}`;
      const start = process.hrtime.bigint();
      for (let i = 0; i < count; i++) {
        io.to(room).emit("bench:tick", { i, t: Date.now() / 1000, pad });
        if ((i + 1) % batch === 0) await new Promise((r) => setImmediate(r));
      }
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ emitted: count, seconds }));
    });
    return;
  }
  if (req.url === "/bench/stats") {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ rss: process.memoryUsage().rss, sockets: io.engine.clientsCount }));
    return;
  }
  res.writeHead(404);
  res.end();
});

const io = new Server(httpServer, { transports: ["websocket", "polling"], pingInterval: 25000, pingTimeout: 60000 });
io.use((socket, next) => {
  const token = socket.handshake.auth && socket.handshake.auth.token;
  if (!token) return next(new Error("Authentication token required"));
  try {
    const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    socket.data.millId = claims.millId;
    socket.data.userId = claims.sub;
    return next();
  } catch (e) {
    return next(new Error("Invalid token"));
  }
});
io.on("connection", (socket) => {
  socket.join(`user:${socket.data.userId}`);
  socket.join(`mill:${socket.data.millId}`);
  socket.emit("connected", { userId: socket.data.userId, message: "Connected successfully" });
});

httpServer.listen(port, "127.0.0.1", () => console.log(`listening ${port}`));
