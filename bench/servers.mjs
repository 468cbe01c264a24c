// The server side of a benchmark case, in its own process: `node --expose-gc bench/servers.mjs
// raw|causette|socketio`. Prints the port it listens on, then serves until SIGTERM.
// GET /stats answers the heap after a full GC, for the idle-connection case; GET /cpu the
// process's CPU time, so that a case can say what the server spent on it.
import { createServer } from 'node:http'
import { createMemoryStreams, createTransportServer } from '@causette/transport/server'
import { Server as SocketIoServer } from 'socket.io'
import { WebSocketServer } from 'ws'

const kind = process.argv[2]
const http = createServer((req, res) => {
  if (req.url === '/cpu') {
    const { user, system } = process.cpuUsage()
    res.end(JSON.stringify({ micros: user + system }))
    return
  }
  if (req.url === '/stats') {
    globalThis.gc?.()
    globalThis.gc?.()
    res.end(JSON.stringify(process.memoryUsage()))
    return
  }
  if (kind === 'causette') {
    void transport.handleRequest(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end()
    })
    return
  }
  if (kind !== 'socketio') res.writeHead(404).end()
})

let transport
if (kind === 'raw') {
  // The physical limit: ws and nothing else. A message starting with "b" is broadcast to every
  // connection (fan-out); any other is echoed to its sender.
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false })
  wss.on('connection', (ws) =>
    ws.on('message', (data, isBinary) => {
      if (data[0] === 98) for (const client of wss.clients) client.send(data, { binary: isBinary })
      else ws.send(data, { binary: isBinary })
    }),
  )
} else if (kind === 'causette') {
  // The whole transport path: decode, rate check, append (in memory), publish to followers.
  const streams = createMemoryStreams()
  transport = createTransportServer({
    server: http,
    allowOrigin: () => true,
    authenticate: async ({ token }) => ({ principal: token ?? 'anonymous' }),
    authorize: () => true,
    async append(_principal, { stream, id, body }) {
      const { item, duplicate } = streams.append(stream, id, body)
      if (!duplicate) transport.publish(stream, [item])
      return { ok: true, item }
    },
    replay: async (stream, after, limit) => streams.replay(stream, after, limit),
    // Limits that protect a real deployment from one client are lifted: this measures capacity.
    rate: { perSecond: 1e9, burst: 1e9 },
    maxQueuedFrames: 1e9,
    maxConnections: 20_000,
    maxConnectionsPerIp: 20_000,
  })
} else if (kind === 'socketio') {
  // Socket.IO 4.8 with its default settings, on the same ws engine.
  const io = new SocketIoServer(http)
  io.on('connection', (socket) => {
    socket.on('m', (data) => socket.emit('m', data))
    socket.on('join', (room) => socket.join(room))
    socket.on('pub', (data) => io.to('room').emit('m', data))
  })
} else {
  console.error('usage: node bench/servers.mjs raw|causette|socketio')
  process.exit(2)
}

http.listen(0, '127.0.0.1', () => console.log(String(http.address().port)))
process.on('SIGTERM', () => process.exit(0))
