import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { WebSocket } from 'ws'
import { connect, type Transport, type WebSocketConstructor } from './index.js'
import type { StreamItem } from './protocol/frames.js'
import { createMemoryStreams, createTransportServer, type TransportServer } from './server/index.js'

/** The transport alone, on a real socket on port 0, over in-memory streams. */
async function harness() {
  const http: Server = createServer()
  const streams = createMemoryStreams()
  // Every TCP connection, WebSocket or long-poll, so that a cut is a network loss for both.
  const sockets = new Set<Socket>()
  http.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  http.on('request', (req, res) => {
    void transport.handleRequest(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end()
    })
  })
  const transport: TransportServer = createTransportServer<string>({
    server: http,
    allowOrigin: () => true,
    authenticate: async ({ token }) => (token ? { principal: token } : undefined),
    authorize: () => true,
    async append(_principal, { stream, id, body }) {
      const { item, duplicate } = streams.append(stream, id, body)
      if (!duplicate) queueMicrotask(() => transport.publish(stream, [item]))
      return { ok: true, item }
    },
    replay: async (stream, after, limit) => streams.replay(stream, after, limit),
    rate: { perSecond: 10_000, burst: 10_000 },
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/transport`
  return {
    url,
    streams,
    transport,
    /** Destroys every TCP socket without a close frame: what a lost network looks like. */
    cut() {
      for (const socket of sockets) socket.destroy()
    },
    async close() {
      await transport.close()
      await new Promise((resolve) => http.close(resolve))
    },
  }
}

const fastBackoff = { baseMs: 5, capMs: 50 }

function client(url: string, name: string): Transport {
  return connect({
    url,
    auth: () => name,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    backoff: fastBackoff,
    healthTimeoutMs: 2_000,
    maxOutbox: 1_000,
  })
}

async function until(predicate: () => boolean, ms: number, what: string) {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Checks what a client received: every seq from 1, once, in order. */
function sequenceChecker(transport: Transport, stream: string) {
  const seen: StreamItem[] = []
  transport.onItems((s, items) => {
    if (s === stream) seen.push(...items)
  })
  return {
    seen,
    assertExactly(count: number) {
      expect(seen.map((i) => i.seq)).toEqual(Array.from({ length: count }, (_, i) => i + 1))
      expect(new Set(seen.map((i) => i.id)).size).toBe(count)
    },
  }
}

describe('transport reliability under forced disconnects', () => {
  let h: Awaited<ReturnType<typeof harness>> | undefined
  const clients: Transport[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close()
    await h?.close()
  })

  test('50 cuts during two-way traffic: nothing lost, nothing twice, everything in order', async () => {
    h = await harness()
    const stream = 'room'
    const alice = client(h.url, 'alice')
    const bob = client(h.url, 'bob')
    clients.push(alice, bob)
    alice.follow(stream)
    bob.follow(stream)
    const a = sequenceChecker(alice, stream)
    const b = sequenceChecker(bob, stream)
    let drops = 0
    alice.subscribe((state) => {
      if (state.status === 'waiting') drops++
    })
    const perSender = 200
    const sends: Promise<unknown>[] = []
    for (let i = 0; i < perSender; i++) {
      sends.push(alice.send(stream, { from: 'alice', i }), bob.send(stream, { from: 'bob', i }))
      if (i % 4 === 0) {
        h.cut()
        await new Promise((resolve) => setTimeout(resolve, 2))
      }
    }
    const results = (await Promise.all(sends)) as Array<{ ok: boolean }>
    expect(results.every((r) => r.ok)).toBe(true)
    const total = perSender * 2
    await until(() => a.seen.length >= total && b.seen.length >= total, 15_000, 'convergence')
    a.assertExactly(total)
    b.assertExactly(total)
    // The cuts really happened while messages were in flight.
    expect(drops).toBeGreaterThanOrEqual(10)
    // Each sender's own messages are stored in the order it sent them.
    const stored = h.streams.replay(stream, 0, total)
    for (const from of ['alice', 'bob']) {
      const order = stored
        .map((i) => i.body as { from: string; i: number })
        .filter((m) => m.from === from)
        .map((m) => m.i)
      expect(order).toEqual(Array.from({ length: perSender }, (_, i) => i))
    }
  })

  test('a client that joins late, or resumes from a cursor, gets exactly what follows it', async () => {
    h = await harness()
    for (let i = 0; i < 30; i++) h.streams.append('s', `id-${i}`, i)
    const late = client(h.url, 'late')
    clients.push(late)
    const check = sequenceChecker(late, 's')
    late.follow('s', 10)
    await until(() => check.seen.length === 20, 5_000, 'replay')
    expect(check.seen.map((i) => i.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 11))
    expect(late.cursor('s')).toBe(30)
  })

  test('an unacknowledged outbox survives a "reload" (a new client on the same storage)', async () => {
    h = await harness()
    const data = new Map<string, string>()
    const storage = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
      removeItem: (k: string) => void data.delete(k),
    }
    // The first page queues a message while the server refuses it: never acknowledged.
    const first = connect({
      url: `${h.url}-nowhere`,
      auth: () => 'x',
      storage,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      backoff: fastBackoff,
    })
    void first.send('s', { text: 'typed before the reload' }, { id: 'reload-1' })
    first.close()
    expect(data.size).toBe(1)
    const second = connect({
      url: h.url,
      auth: () => 'x',
      storage,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      backoff: fastBackoff,
    })
    clients.push(second)
    await until(() => second.pending().length === 0, 5_000, 'outbox flush')
    expect(h.streams.replay('s', 0, 10)).toMatchObject([
      { seq: 1, id: 'reload-1', body: { text: 'typed before the reload' } },
    ])
    expect(data.size).toBe(0)
  })

  test('the outbox limit answers outbox_full, and a closed transport answers closed', async () => {
    h = await harness()
    const t = connect({
      url: `${h.url}-nowhere`,
      auth: () => 'x',
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      backoff: fastBackoff,
      maxOutbox: 2,
    })
    void t.send('s', 1)
    void t.send('s', 2)
    const third = await t.send('s', 3)
    expect(third.ok === false && third.error.code).toBe('outbox_full')
    t.close()
    const after = await t.send('s', 4)
    expect(after.ok === false && after.error.code).toBe('closed')
  })
})
