import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { type RawData, type WebSocket, WebSocketServer } from 'ws'
import { CloseCodes, type ErrorCode } from '../protocol/codes.js'
import {
  type ClientFrame,
  type Cursors,
  decodeClientFrame,
  encodeFrame,
  type ServerFrame,
  type StreamItem,
} from '../protocol/frames.js'
import { createLongPoll } from './long-poll.js'
import { createTokenBucket, type TokenBucket } from './token-bucket.js'

/** What `authenticate` returns for an accepted connection. */
export interface Authenticated<P> {
  readonly principal: P
  /** Signal topics this connection receives besides the streams it follows. */
  readonly topics?: readonly string[]
}

export type AppendResult =
  | { readonly ok: true; readonly item: StreamItem }
  | { readonly ok: false; readonly code: 'invalid_payload' | 'forbidden'; readonly message: string }

/** The hooks through which the application owns identity, authorisation and durability. */
export interface TransportHooks<P> {
  /** Decides whether a browser page of this origin may connect at all. Runs before the upgrade. */
  allowOrigin(origin: string | undefined, request: IncomingMessage): boolean | Promise<boolean>
  /** Resolves the `auth` string of `hello` (and the upgrade request, for cookies) to a principal. */
  authenticate(input: {
    readonly token: string | undefined
    readonly request: IncomingMessage
  }): Promise<Authenticated<P> | undefined>
  /** Whether the principal may read (follow) or write (send to) the stream. */
  authorize(principal: P, stream: string, access: 'read' | 'write'): boolean | Promise<boolean>
  /**
   * Stores an item durably and returns it with its `seq`; a second call with an id the stream
   * already holds returns the stored item. The transport acknowledges only after this resolves.
   * Publishing the item to followers is the application's job (`publish`), so that items stored
   * through other paths (REST, other nodes) reach followers the same way.
   */
  append(
    principal: P,
    input: { readonly stream: string; readonly id: string; readonly body: unknown },
  ): Promise<AppendResult>
  /** Items of `stream` with `seq > afterSeq`, in order, at most `limit`. */
  replay(stream: string, afterSeq: number, limit: number): Promise<readonly StreamItem[]>
  /**
   * The last `seq` of each of `streams` (absent when unknown), in one query. With it, `resync()`
   * replays only the follows whose cursor is behind, instead of querying every followed stream.
   */
  heads?(streams: readonly string[]): Promise<ReadonlyMap<string, number>>
  /** A client sent an ephemeral signal (typing, presence). */
  onSignal?(principal: P, topic: string, body: unknown): void | Promise<void>
  /** Groups connections of one principal (a visitor, an agent) for `maxConnectionsPerPrincipal`. */
  principalKey?(principal: P): string
  /** Checked on every heartbeat; a connection whose principal is no longer valid is closed with 1008. */
  stillValid?(principal: P): boolean
  /** A WebSocket connection was authenticated (presence). */
  onConnect?(principal: P): void
  /** An authenticated WebSocket connection ended, however it ended. */
  onDisconnect?(principal: P): void
  /**
   * An authenticated long-poll request arrived. Long-poll has no connection to end, so presence
   * counts a poller as there while it keeps polling (a poll is held at most `pollHoldMs`).
   */
  onPoll?(principal: P): void
}

export interface TransportLogger {
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export interface TransportServerOptions<P> extends TransportHooks<P> {
  /** The Node HTTP server whose upgrade requests this transport answers. */
  readonly server: Server
  /** @default '/transport' */
  readonly path?: string
  /** Largest frame accepted, in bytes; larger ones close the socket with 1009. @default 65536 */
  readonly maxFrameBytes?: number
  /** Bytes queued for one connection before it counts as a slow consumer and is closed with 1013. @default 1048576 */
  readonly maxBufferedBytes?: number
  /** Interval of server pings; a connection silent for 2.5 intervals is closed. @default 25000 */
  readonly heartbeatMs?: number
  /** Time a new connection has to send `hello`. @default 10000 */
  readonly helloTimeoutMs?: number
  /** Frames per second a connection may send, sustained, and in a burst. @default { perSecond: 20, burst: 60 } */
  readonly rate?: { readonly perSecond: number; readonly burst: number }
  /** Invalid frames tolerated on one connection before it is closed with 1002. @default 20 */
  readonly maxInvalidFrames?: number
  /** Open connections on this server; further upgrades get 503 with Retry-After. @default 10000 */
  readonly maxConnections?: number
  /** Open connections from one remote address; further upgrades get 429. @default 100 */
  readonly maxConnectionsPerIp?: number
  /** Open WebSocket connections of one principal (by `principalKey`); more are closed with 1013. @default 20 */
  readonly maxConnectionsPerPrincipal?: number
  /** Frames of one connection received but not yet handled; more end the connection like a rate limit. @default 100 */
  readonly maxQueuedFrames?: number
  /** Streams one connection may follow. @default 200 */
  readonly maxFollows?: number
  /** The client's address, for per-IP limits; behind a proxy, read it from the proxy's header. @default the socket's remote address */
  readonly clientIp?: (request: IncomingMessage) => string
  /** `resync()` starts after a random delay up to this, so that nodes do not all start at once. @default 1000 */
  readonly resyncJitterMs?: number
  /** Followed streams replayed at once by `resync()`. @default 50 */
  readonly resyncBatch?: number
  /** On `close()`, clients are told to come back after a random delay up to this. @default 5000 */
  readonly drainSpreadMs?: number
  /** Items per replay query. @default 200 */
  readonly replayBatch?: number
  /** How long a long-poll request is held when there is nothing to answer. @default 25000 */
  readonly pollHoldMs?: number
  /** Largest long-poll request body. @default 262144 */
  readonly maxPollBodyBytes?: number
  /** Long-poll requests held at once on this server; more get 503 with a retry hint. @default 10000 */
  readonly maxHeldPolls?: number
  /** Long-poll requests per second from one address, sustained and in a burst. @default { perSecond: 20, burst: 60 } */
  readonly pollRate?: { readonly perSecond: number; readonly burst: number }
  readonly log?: TransportLogger
  /** @default Date.now */
  readonly now?: () => number
}

export const transportServerDefaults = {
  path: '/transport',
  maxFrameBytes: 64 * 1024,
  maxBufferedBytes: 1024 * 1024,
  heartbeatMs: 25_000,
  helloTimeoutMs: 10_000,
  rate: { perSecond: 20, burst: 60 },
  maxInvalidFrames: 20,
  maxConnections: 10_000,
  maxConnectionsPerIp: 100,
  maxConnectionsPerPrincipal: 20,
  maxFollows: 200,
  maxQueuedFrames: 100,
  clientIp: (request: IncomingMessage) => request.socket.remoteAddress ?? 'unknown',
  replayBatch: 200,
  drainSpreadMs: 5_000,
  resyncJitterMs: 1_000,
  resyncBatch: 50,
  pollHoldMs: 25_000,
  maxPollBodyBytes: 256 * 1024,
  maxHeldPolls: 10_000,
  pollRate: { perSecond: 20, burst: 60 },
} as const

export interface TransportStats {
  readonly connections: number
  readonly invalidFrames: number
  readonly rateLimited: number
  readonly slowConsumersClosed: number
  readonly rejectedUpgrades: number
  readonly heldPolls: number
  readonly polls: number
  readonly pollSends: number
  readonly pollRejected: number
}

export interface TransportServer<P = unknown> {
  /** Delivers freshly stored items of a stream to the connections that follow it. */
  publish(stream: string, items: readonly StreamItem[]): void
  /** Sends an ephemeral signal to connections that follow `topic` as a stream or a topic. */
  signal(topic: string, body: unknown): void
  /**
   * Answers long-poll requests (`${path}/poll`, `${path}/send`); resolves to false for any other
   * request, which the caller then routes as usual. Mount it before body parsing.
   */
  handleRequest(request: IncomingMessage, response: ServerResponse): Promise<boolean>
  stats(): TransportStats
  /**
   * Replays every followed stream of every connection from the store, and answers every held
   * poll: after notifications may have been lost (the fan-out between nodes broke).
   */
  resync(): Promise<void>
  /** Closes, with 1008, every connection whose principal matches (sign-out, revoked access). */
  disconnect(match: (principal: P) => boolean): number
  /** Stops answering upgrades and polls, and closes every connection with 1012 and a spread retry hint. */
  close(): Promise<void>
}

interface FollowState {
  cursor: number
  pumping: boolean
  dirty: boolean
}

interface Conn<P> {
  readonly ws: WebSocket
  readonly ip: string
  /** The upgrade request, kept only until `hello` is authenticated (it holds all the headers). */
  request: IncomingMessage | undefined
  readonly bucket: TokenBucket
  authed: Authenticated<P> | undefined
  /** Streams followed, created on the first follow: idle connections are most of a server's. */
  follows: Map<string, FollowState> | undefined
  lastSeen: number
  invalid: number
  queue: Promise<void>
  queued: number
  helloTimer: ReturnType<typeof setTimeout> | undefined
  closed: boolean
  /** Rate limited: the frames already queued are handled, later ones ignored, then it closes. */
  ending: boolean
}

/**
 * Attaches the Causette transport to a Node HTTP server.
 *
 * @example
 * const transport = createTransportServer({ server: app.server, allowOrigin, authenticate, authorize, append, replay })
 * store.onAppended((stream, item) => transport.publish(stream, [item]))
 */
export function createTransportServer<P>(options: TransportServerOptions<P>): TransportServer<P> {
  const o = { ...transportServerDefaults, ...options }
  const now = o.now ?? Date.now
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: o.maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: false,
  })
  const conns = new Set<Conn<P>>()
  const byStream = new Map<string, Set<Conn<P>>>()
  const byTopic = new Map<string, Set<Conn<P>>>()
  const perIp = new Map<string, number>()
  const counters = { invalidFrames: 0, rateLimited: 0, slowConsumersClosed: 0, rejectedUpgrades: 0 }
  const perPrincipal = new Map<string, number>()
  let closing = false
  let resyncing: Promise<void> | undefined
  let resyncAgain = false

  /** The one place a `send` is authorised, stored and answered, for WebSocket and long-poll alike. */
  async function handleSend(
    principal: P,
    frame: Extract<ClientFrame, { t: 'send' }>,
  ): Promise<ServerFrame> {
    if (!(await o.authorize(principal, frame.stream, 'write'))) {
      return {
        t: 'error',
        code: 'forbidden',
        message: 'not allowed to write to this stream',
        ref: frame.id,
      }
    }
    const result = await o.append(principal, frame)
    if (!result.ok) return { t: 'error', code: result.code, message: result.message, ref: frame.id }
    return { t: 'ack', id: frame.id, stream: frame.stream, seq: result.item.seq }
  }

  const longPoll = createLongPoll<P>({
    hooks: o,
    path: o.path,
    holdMs: o.pollHoldMs,
    maxBodyBytes: o.maxPollBodyBytes,
    maxHeldPolls: o.maxHeldPolls,
    replayBatch: o.replayBatch,
    rate: o.pollRate,
    now,
    log: o.log,
    handleSend,
    isClosing: () => closing,
    clientIp: o.clientIp,
  })

  const index = (map: Map<string, Set<Conn<P>>>, key: string, conn: Conn<P>) => {
    const set = map.get(key)
    if (set) set.add(conn)
    else map.set(key, new Set([conn]))
  }
  const unindex = (map: Map<string, Set<Conn<P>>>, key: string, conn: Conn<P>) => {
    const set = map.get(key)
    if (!set) return
    set.delete(conn)
    if (set.size === 0) map.delete(key)
  }

  function rejectUpgrade(socket: Duplex, status: number, text: string, retryAfterS?: number) {
    counters.rejectedUpgrades++
    const retry = retryAfterS === undefined ? '' : `Retry-After: ${retryAfterS}\r\n`
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\n${retry}Connection: close\r\nContent-Length: 0\r\n\r\n`,
    )
  }

  async function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
    const { pathname } = new URL(request.url ?? '/', 'http://x')
    if (pathname !== o.path) return // another handler on this server may own this path
    // Not an arrow function: a closure here would keep this whole scope, request included,
    // alive for as long as the socket lives.
    socket.on('error', destroySocket)
    if (closing) return rejectUpgrade(socket, 503, 'Service Unavailable', 5)
    let allowed = false
    try {
      allowed = await o.allowOrigin(request.headers.origin, request)
    } catch (error) {
      o.log?.error({ err: error }, 'allowOrigin failed')
    }
    if (!allowed) return rejectUpgrade(socket, 403, 'Forbidden')
    if (closing) return rejectUpgrade(socket, 503, 'Service Unavailable', 5)
    const ip = o.clientIp(request)
    if ((perIp.get(ip) ?? 0) >= o.maxConnectionsPerIp) {
      return rejectUpgrade(socket, 429, 'Too Many Requests', 10)
    }
    if (conns.size >= o.maxConnections) {
      // Admission control answers at once with a retry hint rather than letting clients time
      // out. Over an accepted socket, because a browser cannot read a refused upgrade's headers.
      counters.rejectedUpgrades++
      return wss.handleUpgrade(request, socket, head, (ws) => {
        const retryMs = 1_000 + Math.floor(Math.random() * 9_000)
        ws.send(encodeFrame({ t: 'error', code: 'unavailable', message: 'server full', retryMs }))
        ws.close(CloseCodes.tryAgainLater, 'server full')
      })
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, request, ip))
  }

  function accept(ws: WebSocket, request: IncomingMessage, ip: string) {
    if (closing) return ws.close(CloseCodes.goingAway, 'server shutting down')
    const conn: Conn<P> = {
      ws,
      ip,
      request,
      bucket: createTokenBucket(o.rate.perSecond, o.rate.burst, now),
      authed: undefined,
      follows: undefined,
      lastSeen: now(),
      invalid: 0,
      queue: Promise.resolve(),
      queued: 0,
      helloTimer: undefined,
      closed: false,
      ending: false,
    }
    conns.add(conn)
    perIp.set(ip, (perIp.get(ip) ?? 0) + 1)
    conn.helloTimer = setTimeout(() => {
      if (!conn.authed) close(conn, CloseCodes.helloTimeout, 'no hello')
    }, o.helloTimeoutMs)
    ws.on('message', (data, isBinary) => onMessage(conn, data, isBinary))
    ws.on('close', () => cleanup(conn))
    ws.on('error', (error) => {
      // ws closes the socket itself (1009 for an oversized frame, 1002 for a bad one).
      counters.invalidFrames++
      o.log?.warn({ ip, code: (error as { code?: string }).code }, 'websocket error')
    })
  }

  function cleanup(conn: Conn<P>) {
    if (conn.closed) return
    conn.closed = true
    clearTimeout(conn.helloTimer)
    conns.delete(conn)
    const left = (perIp.get(conn.ip) ?? 1) - 1
    if (left <= 0) perIp.delete(conn.ip)
    else perIp.set(conn.ip, left)
    for (const stream of conn.follows?.keys() ?? []) unindex(byStream, stream, conn)
    for (const topic of conn.authed?.topics ?? []) unindex(byTopic, topic, conn)
    conn.follows = undefined
    if (conn.authed) o.onDisconnect?.(conn.authed.principal)
    const key = conn.authed && o.principalKey?.(conn.authed.principal)
    if (key !== undefined) {
      const left = (perPrincipal.get(key) ?? 1) - 1
      if (left <= 0) perPrincipal.delete(key)
      else perPrincipal.set(key, left)
    }
  }

  function close(conn: Conn<P>, code: number, reason: string) {
    if (conn.closed) return
    conn.ws.close(code, reason)
    cleanup(conn)
    // A peer that never answers the close handshake must not hold the socket.
    setTimeout(() => conn.ws.terminate(), 5_000).unref()
  }

  /** Sends a frame, or closes a connection whose unsent bytes exceed the cap (slow consumer). */
  function send(conn: Conn<P>, frame: ServerFrame | string): boolean {
    if (conn.closed) return false
    if (conn.ws.bufferedAmount > o.maxBufferedBytes) {
      counters.slowConsumersClosed++
      close(conn, CloseCodes.tryAgainLater, 'slow consumer')
      return false
    }
    conn.ws.send(typeof frame === 'string' ? frame : encodeFrame(frame))
    return true
  }

  function sendError(
    conn: Conn<P>,
    code: ErrorCode,
    message: string,
    ref?: string,
    retryMs?: number,
  ) {
    const frame: { t: 'error'; code: ErrorCode; message: string; ref?: string; retryMs?: number } =
      { t: 'error', code, message }
    if (ref !== undefined) frame.ref = ref
    if (retryMs !== undefined) frame.retryMs = retryMs
    send(conn, frame)
  }

  function invalidFrame(conn: Conn<P>, message: string) {
    counters.invalidFrames++
    conn.invalid++
    if (conn.invalid > o.maxInvalidFrames)
      close(conn, CloseCodes.protocolError, 'too many invalid frames')
    else sendError(conn, 'bad_frame', message)
  }

  function onMessage(conn: Conn<P>, data: RawData, isBinary: boolean) {
    if (conn.closed || conn.ending) return
    conn.lastSeen = now()
    if (isBinary) {
      counters.invalidFrames++
      return close(conn, CloseCodes.invalidData, 'binary frames are not accepted')
    }
    const decoded = decodeClientFrame(data.toString())
    if (!decoded.ok) return invalidFrame(conn, decoded.error)
    const frame = decoded.value
    if (frame.t === 'pong') return
    if (frame.t === 'ping') return void send(conn, { t: 'pong', n: frame.n })
    const wait = conn.bucket.take()
    if (wait > 0 || conn.queued >= o.maxQueuedFrames) {
      counters.rateLimited++
      const retryMs = Math.max(wait, 100)
      if (frame.t === 'signal')
        return sendError(conn, 'rate_limited', 'too many frames', undefined, retryMs)
      // Dropping a `send` or `sub` would let the frames after it overtake it. Ending the
      // connection instead, once the frames before it are handled, makes the client resume
      // from its cursors and resend the rest of its outbox, in order, after the hint.
      conn.ending = true
      const ref = frame.t === 'send' ? frame.id : undefined
      conn.queue = conn.queue.then(() => {
        sendError(conn, 'rate_limited', 'too many frames', ref, retryMs)
        close(conn, CloseCodes.tryAgainLater, 'rate limited')
      })
      return
    }
    // Frames of one connection are handled one at a time, in arrival order, so that a client's
    // messages are stored in the order it sent them.
    conn.queued++
    conn.queue = conn.queue.then(() => run(conn, frame))
  }

  /** Handles one frame of a connection's queue; one promise per frame on the hot path. */
  async function run(conn: Conn<P>, frame: Exclude<ClientFrame, { t: 'ping' | 'pong' }>) {
    try {
      await handle(conn, frame)
    } catch (error) {
      // As above: a failed frame must not be overtaken, so the connection ends with it.
      o.log?.error({ err: error }, 'transport frame handler failed')
      sendError(
        conn,
        'internal',
        'internal error',
        frame.t === 'send' ? frame.id : undefined,
        1_000,
      )
      close(conn, CloseCodes.internalError, 'internal error')
    } finally {
      conn.queued--
    }
  }

  async function handle(conn: Conn<P>, frame: Exclude<ClientFrame, { t: 'ping' | 'pong' }>) {
    if (conn.closed) return
    if (!conn.authed) {
      if (frame.t !== 'hello') return close(conn, CloseCodes.protocolError, 'hello first')
      const request = conn.request
      if (!request) return
      const authed = await o.authenticate({ token: frame.auth, request })
      conn.request = undefined
      if (conn.closed) return
      if (!authed) {
        sendError(conn, 'unauthorized', 'invalid credentials')
        return close(conn, CloseCodes.policy, 'unauthorized')
      }
      clearTimeout(conn.helloTimer)
      conn.helloTimer = undefined
      const key = o.principalKey?.(authed.principal)
      if (key !== undefined) {
        if ((perPrincipal.get(key) ?? 0) >= o.maxConnectionsPerPrincipal) {
          sendError(
            conn,
            'rate_limited',
            'too many connections for this principal',
            undefined,
            30_000,
          )
          return close(conn, CloseCodes.tryAgainLater, 'too many connections')
        }
        perPrincipal.set(key, (perPrincipal.get(key) ?? 0) + 1)
      }
      conn.authed = authed
      o.onConnect?.(authed.principal)
      for (const topic of authed.topics ?? []) index(byTopic, topic, conn)
      send(conn, { t: 'welcome', heartbeatMs: o.heartbeatMs, maxFrameBytes: o.maxFrameBytes })
      return follow(conn, frame.cursors)
    }
    const { principal } = conn.authed
    switch (frame.t) {
      case 'hello':
        return sendError(conn, 'bad_state', 'hello was already received')
      case 'sub':
        return follow(conn, frame.cursors)
      case 'unsub':
        for (const stream of frame.streams) {
          conn.follows?.delete(stream)
          unindex(byStream, stream, conn)
        }
        return
      case 'send': {
        const answer = await handleSend(principal, frame)
        // A follower of the stream that already received the item needs no separate ack: the
        // item, with the id it sent, is the acknowledgement. Half the frames for chat echo.
        const delivered = conn.follows?.get(frame.stream)
        if (answer.t === 'ack' && delivered && !delivered.pumping && delivered.cursor >= answer.seq)
          return
        return void send(conn, answer)
      }
      case 'signal':
        return o.onSignal?.(principal, frame.topic, frame.body)
      default:
        return assertNever(frame)
    }
  }

  async function follow(conn: Conn<P>, cursors: Cursors) {
    const principal = conn.authed?.principal as P
    for (const [stream, cursor] of Object.entries(cursors)) {
      // Each stream costs an authorisation query: it is paid for from the frame budget, and a
      // connection follows at most `maxFollows` streams.
      if (
        !conn.follows?.has(stream) &&
        ((conn.follows?.size ?? 0) >= o.maxFollows || conn.bucket.take() > 0)
      ) {
        counters.rateLimited++
        sendError(conn, 'rate_limited', 'too many streams', stream, 1_000)
        return close(conn, CloseCodes.tryAgainLater, 'too many streams')
      }
      if (!(await o.authorize(principal, stream, 'read'))) {
        sendError(conn, 'forbidden', 'not allowed to follow this stream', stream)
        continue
      }
      if (conn.closed) return
      const existing = conn.follows?.get(stream)
      if (existing) {
        // A re-follow asks for a replay after the given cursor (the client saw a gap).
        existing.cursor = Math.min(existing.cursor, cursor)
        existing.dirty = true
        if (!existing.pumping) void pump(conn, stream, existing)
        continue
      }
      const state: FollowState = { cursor, pumping: false, dirty: false }
      conn.follows ??= new Map()
      conn.follows.set(stream, state)
      index(byStream, stream, conn)
      void pump(conn, stream, state)
    }
  }

  /** Brings one follower of one stream up to date from the store, in order and without gaps. */
  async function pump(conn: Conn<P>, stream: string, state: FollowState) {
    state.pumping = true
    try {
      do {
        state.dirty = false
        for (;;) {
          const items = await o.replay(stream, state.cursor, o.replayBatch)
          if (conn.closed || conn.follows?.get(stream) !== state) return
          const last = items.at(-1)
          if (!last) break
          if (!send(conn, { t: 'items', stream, items })) return
          state.cursor = last.seq
          if (items.length < o.replayBatch) break
          await drained(conn)
        }
      } while (state.dirty)
    } catch (error) {
      o.log?.error({ err: error, stream }, 'replay failed')
      sendError(conn, 'internal', 'replay failed', stream, 1_000)
      close(conn, CloseCodes.internalError, 'replay failed')
    } finally {
      state.pumping = false
    }
  }

  /** Waits while half the send buffer is in use, so a long replay does not trip the cap. */
  async function drained(conn: Conn<P>) {
    for (let waited = 0; conn.ws.bufferedAmount > o.maxBufferedBytes / 2; waited += 20) {
      if (conn.closed || waited > 30_000) return
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  function publish(stream: string, items: readonly StreamItem[]) {
    longPoll.wake(stream)
    const followers = byStream.get(stream)
    if (!followers) return
    // Followers that are up to date all get the same frame: it is encoded once, not per follower.
    let shared: string | undefined
    const firstSeq = items[0]?.seq
    for (const conn of followers) {
      const state = conn.follows?.get(stream)
      if (!state) continue
      if (state.pumping) {
        state.dirty = true
        continue
      }
      if (firstSeq === state.cursor + 1 && contiguousItems(items)) {
        shared ??= encodeFrame({ t: 'items', stream, items })
        if (send(conn, shared)) state.cursor = firstSeq + items.length - 1
        continue
      }
      const fresh = items.filter((item) => item.seq > state.cursor)
      const first = fresh[0]
      if (!first) continue
      if (first.seq === state.cursor + 1 && contiguousItems(fresh)) {
        if (send(conn, { t: 'items', stream, items: fresh }))
          state.cursor = first.seq + fresh.length - 1
      } else {
        void pump(conn, stream, state)
      }
    }
  }

  function signal(topic: string, body: unknown) {
    longPoll.signal(topic, body)
    const frame = encodeFrame({ t: 'signal', topic, body })
    const targets = new Set([...(byTopic.get(topic) ?? []), ...(byStream.get(topic) ?? [])])
    for (const conn of targets) {
      if (conn.closed || conn.ws.bufferedAmount > o.maxBufferedBytes) continue
      conn.ws.send(frame)
    }
  }

  const heartbeat = setInterval(() => {
    const deadline = now() - o.heartbeatMs * 2.5
    for (const conn of conns) {
      if (conn.lastSeen < deadline) close(conn, CloseCodes.heartbeatTimeout, 'heartbeat timeout')
      else if (conn.authed && o.stillValid && !o.stillValid(conn.authed.principal)) {
        // Credentials expire during long-lived connections too (a session's end of day).
        sendError(conn, 'unauthorized', 'credentials expired')
        close(conn, CloseCodes.policy, 'credentials expired')
      } else if (conn.authed) send(conn, { t: 'ping', n: now() })
    }
  }, o.heartbeatMs)
  heartbeat.unref()

  /** The heads of `streams`, or undefined (replay them all) without the hook or when it fails. */
  async function headsOf(streams: readonly string[]) {
    if (!o.heads) return undefined
    try {
      return await o.heads([...new Set(streams)])
    } catch (error) {
      o.log?.warn({ err: error }, 'heads failed: replaying every follow')
      return undefined
    }
  }

  const upgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    onUpgrade(request, socket, head).catch((error: unknown) => {
      o.log?.error({ err: error }, 'upgrade failed')
      socket.destroy()
    })
  }
  o.server.on('upgrade', upgradeListener)

  return {
    publish,
    signal,
    handleRequest: (request, response) => longPoll.handle(request, response),
    resync() {
      // Several breaks in a row make one more pass, not one pass each.
      if (resyncing) {
        resyncAgain = true
        return resyncing
      }
      resyncing = (async () => {
        do {
          resyncAgain = false
          // Every node resyncs after the same Redis break: spread them out, then replay in
          // bounded batches so that message appends are not queued behind thousands of replays.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * o.resyncJitterMs))
          const work: Array<[Conn<P>, string, FollowState]> = []
          for (const conn of conns) {
            for (const [stream, state] of conn.follows ?? []) work.push([conn, stream, state])
          }
          for (let i = 0; i < work.length && !closing; i += o.resyncBatch) {
            const batch = work.slice(i, i + o.resyncBatch)
            const heads = await headsOf(batch.map(([, stream]) => stream))
            await Promise.all(
              batch.map(([conn, stream, state]) => {
                const head = heads?.get(stream)
                if (head !== undefined && state.cursor >= head) return undefined
                state.dirty = true
                return state.pumping ? undefined : pump(conn, stream, state)
              }),
            )
          }
          longPoll.wakeAll()
        } while (resyncAgain && !closing)
      })().finally(() => {
        resyncing = undefined
      })
      return resyncing
    },
    disconnect(match) {
      let count = 0
      for (const conn of [...conns]) {
        if (!conn.authed || !match(conn.authed.principal)) continue
        sendError(conn, 'unauthorized', 'access revoked')
        close(conn, CloseCodes.policy, 'access revoked')
        count++
      }
      return count
    },
    stats: () => {
      const poll = longPoll.stats()
      return {
        connections: conns.size,
        ...counters,
        heldPolls: poll.heldPolls,
        polls: poll.polls,
        pollSends: poll.sends,
        pollRejected: poll.rejected,
      }
    },
    async close() {
      closing = true
      clearInterval(heartbeat)
      o.server.off('upgrade', upgradeListener)
      // Finish what is in flight before saying goodbye: a frame being stored now must get its
      // ack (and its announcement) rather than be cut off half way. New frames are ignored.
      for (const conn of conns) conn.ending = true
      const settled = Promise.allSettled([...[...conns].map((conn) => conn.queue), longPoll.idle()])
      await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 10_000).unref())])
      longPoll.close()
      // A drain (rolling restart): every client gets its own retry hint, spread over
      // `drainSpreadMs`, so the other nodes take them over gradually instead of all at once.
      for (const conn of [...conns]) {
        const retryMs = Math.floor(Math.random() * o.drainSpreadMs)
        sendError(conn, 'unavailable', 'server restarting', undefined, retryMs)
        close(conn, CloseCodes.serviceRestart, 'server restarting')
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
}

function destroySocket(this: Duplex) {
  this.destroy()
}

function contiguousItems(items: readonly StreamItem[]): boolean {
  const first = items[0]?.seq ?? 0
  return items.every((item, i) => item.seq === first + i)
}

function assertNever(value: never): never {
  throw new Error(`unhandled frame: ${JSON.stringify(value)}`)
}
