// The benchmark's reference server: a minimal relay on the ws package. Every text frame any
// connection sends goes to every open connection, the sender included, as confab-load --raw
// expects. Written the way the ws documentation broadcasts, with nothing tuned: it stands for
// what a plain Node WebSocket server does on this machine.
//
//     node bench/reference/relay.mjs [--host 127.0.0.1] [--port 0]
//
// Prints "listening on HOST:PORT" once bound; SIGTERM or SIGINT stops it.
import { WebSocketServer, WebSocket } from 'ws';

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const host = option('host', '127.0.0.1');
const port = Number(option('port', '0'));

// perMessageDeflate off: confab-load offers no extensions, and compression would not be the
// comparison anyway. The backlog is the kernel's cap here (net.core.somaxconn), as for the hub.
const server = new WebSocketServer({ host, port, backlog: 4096, perMessageDeflate: false });

server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    if (isBinary)
      return;
    for (const client of server.clients) {
      if (client.readyState === WebSocket.OPEN)
        client.send(data, { binary: false });
    }
  });
  socket.on('error', () => {}); // a client that aborts is the load client finishing
});

server.on('listening', () => {
  const address = server.address();
  console.log(`listening on ${address.address}:${address.port}`);
});

for (const signal of ['SIGTERM', 'SIGINT'])
  process.on(signal, () => process.exit(0));
