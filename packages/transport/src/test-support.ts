import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { expect } from 'vitest'
import { WebSocket } from 'ws'
import { type ConnectOptions, connect, type Transport, type WebSocketConstructor } from './index.js'
import type { StreamItem } from './protocol/frames.js'
import {
  createMemoryStreams,
  createTransportServer,
  type TransportServer,
  type TransportServerOptions,
} from './server/index.js'

/** How the harness treats WebSocket upgrades, to play a hostile network or proxy. */
export type UpgradeMode = 'normal' | 'refuse' | 'hang' | 'stall'

/**
 * The transport alone on a real socket on port 0, over in-memory streams, with switches that
 * play the networks users complain about: WebSocket refused, hanging, or accepted then stalled.
 */
export async function startHarness(options: Partial<TransportServerOptions<string>> = {}) {
  const http: Server = createServer()
  const streams = createMemoryStreams()
  const sockets = new Set<Socket>()
  const isUpgrade = (request: IncomingMessage) =>
    request.headers.upgrade?.toLowerCase() === 'websocket'
  const harness = {
    url: '',
    streams,
    transport: undefined as unknown as TransportServer<string>,
    upgrades: 'normal' as UpgradeMode,
    /** Destroys every TCP connection without a close frame: what a lost network looks like. */
    cut() {
      for (const socket of sockets) socket.destroy()
    },
    async close() {
      await harness.transport.close()
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => http.close(resolve))
    },
  }
  http.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  harness.transport = createTransportServer<string>({
    server: http,
    allowOrigin: (_origin, request) => {
      if (!isUpgrade(request)) return true
      if (harness.upgrades === 'refuse') return false
      if (harness.upgrades === 'hang') return new Promise<boolean>(() => undefined)
      return true
    },
    authenticate: async ({ token, request }) => {
      if (isUpgrade(request) && harness.upgrades === 'stall') return new Promise(() => undefined)
      return token ? { principal: token } : undefined
    },
    authorize: () => true,
    async append(_principal, { stream, id, body }) {
      const { item, duplicate } = streams.append(stream, id, body)
      if (!duplicate) queueMicrotask(() => harness.transport.publish(stream, [item]))
      return { ok: true, item }
    },
    replay: async (stream, after, limit) => streams.replay(stream, after, limit),
    rate: { perSecond: 100_000, burst: 100_000 },
    pollRate: { perSecond: 100_000, burst: 100_000 },
    ...options,
  })
  http.on('request', (req, res) => {
    void harness.transport.handleRequest(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end()
    })
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  harness.url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/transport`
  return harness
}

export type Harness = Awaited<ReturnType<typeof startHarness>>

export const fastBackoff = { baseMs: 5, capMs: 50 }

/** A client with short timers, for tests; `ws` as its WebSocket and Node's fetch for long-poll. */
export function testClient(
  url: string,
  name: string,
  options: Partial<ConnectOptions> = {},
): Transport {
  return connect({
    url,
    auth: () => name,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    backoff: fastBackoff,
    healthTimeoutMs: 2_000,
    hedgeMs: 200,
    wsProbeMs: 100,
    maxOutbox: 1_000,
    ...options,
  })
}

export async function until(predicate: () => boolean, ms: number, what: string) {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Records what a client receives on a stream and checks it: every seq from 1, once, in order. */
export function sequenceChecker(transport: Transport, stream: string) {
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

/** Every `via` a client was open on, in order. */
export function viaLog(transport: Transport) {
  const log: Array<'ws' | 'poll'> = []
  transport.subscribe((state) => {
    if (state.status === 'open') log.push(state.via)
  })
  return log
}

/** A Web Storage stand-in backed by a Map that the test can inspect. */
export function memoryStorage() {
  const data = new Map<string, string>()
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  }
}
