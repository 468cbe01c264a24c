// The server side of a benchmark case, run in its own process: `node bench/servers.mjs raw|causette`.
// Prints the port it listens on, then serves until killed.
import { createServer } from 'node:http'
import { createMemoryStreams, createTransportServer } from '@causette/transport/server'
import { WebSocketServer } from 'ws'

const kind = process.argv[2]
const http = createServer()

if (kind === 'raw') {
  // The physical limit: ws echoing every message back, nothing else.
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false })
  wss.on('connection', (ws) =>
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })),
  )
} else if (kind === 'causette') {
  // The whole transport path: decode, rate check, append (in memory), ack, publish to followers.
  const streams = createMemoryStreams()
  const transport = createTransportServer({
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
    rate: { perSecond: 1e9, burst: 1e9 },
  })
} else {
  console.error('usage: node bench/servers.mjs raw|causette')
  process.exit(2)
}

http.listen(0, '127.0.0.1', () => console.log(String(http.address().port)))
