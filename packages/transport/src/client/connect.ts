import { CloseCodes, terminalCloseCodes } from '../protocol/codes.js'
import {
  type ClientFrame,
  decodeServerFrame,
  encodeFrame,
  protocolVersion,
  type ServerFrame,
  type StreamItem,
} from '../protocol/frames.js'
import { type BackoffOptions, backoffDefaults, retryDelay } from './backoff.js'
import { createId } from './create-id.js'
import { createOutbox, type OutboxEntry, type StorageLike } from './outbox.js'
import { TransportError } from './transport-error.js'

/** The part of the browser's WebSocket the client uses; the `ws` package's class fits too. */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number }) => void) | null
  onerror: ((event: unknown) => void) | null
}

export type WebSocketConstructor = new (url: string) => WebSocketLike

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface ConnectOptions {
  /** The transport endpoint, `ws://` or `wss://`. */
  readonly url: string
  /** Returns the credentials sent in `hello`; called on every connect. */
  readonly auth?: () => string | undefined | Promise<string | undefined>
  /** @default globalThis.WebSocket */
  readonly WebSocket?: WebSocketConstructor
  /** Where the outbox survives a reload; `null` keeps it in memory. @default null */
  readonly storage?: StorageLike | null
  /** @default 'causette:outbox' */
  readonly storageKey?: string
  /** @default globalThis */
  readonly timers?: Timers
  /** @default Math.random */
  readonly random?: () => number
  /** @default Date.now */
  readonly now?: () => number
  /** @default { baseMs: 500, capMs: 30000 } */
  readonly backoff?: BackoffOptions
  /** Time from opening the socket to the server's `welcome` before the attempt counts as failed. @default 5000 */
  readonly healthTimeoutMs?: number
  /** Unacknowledged items the outbox holds at most; `send` answers `outbox_full` beyond. @default 100 */
  readonly maxOutbox?: number
}

export const connectDefaults = {
  storageKey: 'causette:outbox',
  healthTimeoutMs: 5_000,
  maxOutbox: 100,
  /** Until `welcome` says otherwise. */
  maxFrameBytes: 64 * 1024,
} as const

export type ConnectionState =
  | { readonly status: 'connecting'; readonly attempt: number }
  | { readonly status: 'open'; readonly via: 'ws' }
  | { readonly status: 'waiting'; readonly attempt: number; readonly retryInMs: number }
  | { readonly status: 'closed'; readonly reason: 'client' | 'unauthorized' }

export type SendResult =
  | { readonly ok: true; readonly id: string; readonly seq: number }
  | { readonly ok: false; readonly id: string; readonly error: TransportError }

export interface Transport {
  state(): ConnectionState
  /** Listens to connection state changes. */
  subscribe(listener: (state: ConnectionState) => void): () => void
  /** Follows a stream from `cursor` (the highest seq already held; 0 for all). */
  follow(stream: string, cursor?: number): void
  unfollow(stream: string): void
  /** The highest contiguous seq received on a stream, or undefined if it is not followed. */
  cursor(stream: string): number | undefined
  /**
   * Queues a durable item in the outbox and sends it until the server acknowledges it.
   * Resolves once acknowledged, or with a typed error; it never rejects.
   */
  send(stream: string, body: unknown, options?: { readonly id?: string }): Promise<SendResult>
  /** Items sent but not yet acknowledged, including those restored from storage. */
  pending(stream?: string): readonly OutboxEntry[]
  /** Sends an ephemeral signal; returns false when not connected (signals are never queued). */
  signal(topic: string, body: unknown): boolean
  /** New items of followed streams, in order, each once. */
  onItems(listener: (stream: string, items: readonly StreamItem[]) => void): () => void
  onSignal(listener: (topic: string, body: unknown) => void): () => void
  /** Items the server refused for good (also those sent before a reload). */
  onRejected(listener: (entry: OutboxEntry, error: TransportError) => void): () => void
  /** Tries to connect now instead of waiting for the backoff (network came back, tab visible). */
  probe(): void
  /** Closes for good. Unsent items stay in storage for the next page. */
  close(): void
}

/**
 * Opens a reliable connection to a Causette transport endpoint.
 *
 * @example
 * const transport = connect({ url: 'wss://chat.example.com/transport', auth: () => token, storage: localStorage })
 * transport.follow('conv:42', 0)
 * transport.onItems((stream, items) => render(items))
 * await transport.send('conv:42', { type: 'text', text: 'Hello' })
 */
export function connect(options: ConnectOptions): Transport {
  const WS = options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketConstructor)
  const timers: Timers = options.timers ?? {
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as number),
  }
  const random = options.random ?? Math.random
  const now = options.now ?? Date.now
  const backoff = options.backoff ?? backoffDefaults
  const healthTimeoutMs = options.healthTimeoutMs ?? connectDefaults.healthTimeoutMs
  const maxOutbox = options.maxOutbox ?? connectDefaults.maxOutbox
  const outbox = createOutbox(
    options.storage ?? null,
    options.storageKey ?? connectDefaults.storageKey,
  )

  let state: ConnectionState = { status: 'connecting', attempt: 0 }
  let ws: WebSocketLike | undefined
  let attempt = 0
  let hintMs: number | undefined
  let maxFrameBytes: number = connectDefaults.maxFrameBytes
  let heartbeatMs = 25_000
  let lastSeen = now()
  let retryTimer: unknown
  let healthTimer: unknown
  let watchdog: unknown
  const followed = new Map<string, number>()
  const inflight = new Set<string>()
  const waiters = new Map<string, Array<(result: SendResult) => void>>()
  const stateListeners = new Set<(state: ConnectionState) => void>()
  const itemListeners = new Set<(stream: string, items: readonly StreamItem[]) => void>()
  const signalListeners = new Set<(topic: string, body: unknown) => void>()
  const rejectedListeners = new Set<(entry: OutboxEntry, error: TransportError) => void>()

  const setState = (next: ConnectionState) => {
    state = next
    for (const listener of stateListeners) listener(next)
  }
  const isOpen = () => state.status === 'open'
  const closedForGood = () => state.status === 'closed'

  function write(frame: ClientFrame) {
    try {
      ws?.send(encodeFrame(frame))
    } catch {
      // The socket is closing; onclose schedules the reconnect and the outbox keeps the item.
    }
  }

  function settle(id: string, result: SendResult) {
    const list = waiters.get(id)
    waiters.delete(id)
    for (const resolve of list ?? []) resolve(result)
  }

  function transmit(entry: OutboxEntry) {
    inflight.add(entry.id)
    write({ t: 'send', id: entry.id, stream: entry.stream, body: entry.body })
  }

  async function start() {
    if (closedForGood()) return
    setState({ status: 'connecting', attempt })
    let token: string | undefined
    try {
      token = await options.auth?.()
    } catch {
      return down(CloseCodes.internalError)
    }
    if (closedForGood()) return
    let socket: WebSocketLike
    try {
      socket = new WS(options.url)
    } catch {
      return down(CloseCodes.internalError)
    }
    ws = socket
    // Healthy only after the application-level round trip (hello -> welcome), not at `open`:
    // proxies and antivirus software accept upgrades and then stall.
    healthTimer = timers.setTimeout(() => {
      if (ws === socket && !isOpen()) drop(socket)
    }, healthTimeoutMs)
    socket.onopen = () => {
      const hello: ClientFrame =
        token === undefined
          ? { t: 'hello', v: protocolVersion, cursors: Object.fromEntries(followed) }
          : { t: 'hello', v: protocolVersion, auth: token, cursors: Object.fromEntries(followed) }
      write(hello)
    }
    socket.onmessage = (event) => {
      if (ws !== socket || typeof event.data !== 'string') return
      lastSeen = now()
      const decoded = decodeServerFrame(event.data)
      if (decoded.ok) receive(decoded.value)
    }
    socket.onclose = (event) => {
      if (ws === socket) down(event.code)
    }
    socket.onerror = () => {
      // `close` follows `error`; the reconnect is scheduled there.
    }
  }

  /** Abandons a socket that is not healthy and schedules the next attempt. */
  function drop(socket: WebSocketLike) {
    try {
      socket.close()
    } catch {
      // already closed
    }
    if (ws === socket) down(CloseCodes.goingAway)
  }

  function down(code: number) {
    const socket = ws
    ws = undefined
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null
      // Closing a socket that is still connecting reports an error; nobody needs to hear it.
      socket.onerror = () => undefined
    }
    timers.clearTimeout(healthTimer)
    timers.clearTimeout(watchdog)
    inflight.clear()
    if (closedForGood()) return
    if (terminalCloseCodes.has(code)) {
      setState({ status: 'closed', reason: 'unauthorized' })
      failAll(new TransportError('unauthorized', 'the server refused the credentials'))
      return
    }
    const delay = retryDelay(attempt, random(), hintMs, backoff)
    hintMs = undefined
    attempt++
    setState({ status: 'waiting', attempt, retryInMs: delay })
    retryTimer = timers.setTimeout(() => void start(), delay)
  }

  function failAll(error: TransportError) {
    for (const id of [...waiters.keys()]) settle(id, { ok: false, id, error })
  }

  function armWatchdog() {
    timers.clearTimeout(watchdog)
    // Generous: background tabs throttle timers to once a minute.
    const graceMs = heartbeatMs * 3
    watchdog = timers.setTimeout(() => {
      if (!ws) return
      if (now() - lastSeen > graceMs) drop(ws)
      else armWatchdog()
    }, graceMs)
  }

  function receive(frame: ServerFrame) {
    switch (frame.t) {
      case 'welcome':
        timers.clearTimeout(healthTimer)
        attempt = 0
        maxFrameBytes = frame.maxFrameBytes
        heartbeatMs = frame.heartbeatMs
        setState({ status: 'open', via: 'ws' })
        armWatchdog()
        for (const entry of outbox.entries()) transmit(entry)
        return
      case 'items':
        return receiveItems(frame.stream, frame.items)
      case 'ack': {
        inflight.delete(frame.id)
        outbox.remove(frame.id)
        return settle(frame.id, { ok: true, id: frame.id, seq: frame.seq })
      }
      case 'error':
        return receiveError(frame)
      case 'signal':
        for (const listener of signalListeners) listener(frame.topic, frame.body)
        return
      case 'ping':
        return write({ t: 'pong', n: frame.n })
      case 'pong':
        return
      default:
        return assertNever(frame)
    }
  }

  function receiveItems(stream: string, items: readonly StreamItem[]) {
    let cursor = followed.get(stream)
    if (cursor === undefined) return
    const fresh: StreamItem[] = []
    for (const item of items) {
      if (item.seq <= cursor) continue // a duplicate: already held
      if (item.seq !== cursor + 1) {
        // A gap: ask for a replay after what we hold; the server resends in order.
        write({ t: 'sub', cursors: { [stream]: cursor } })
        break
      }
      fresh.push(item)
      cursor = item.seq
    }
    followed.set(stream, cursor)
    if (fresh.length > 0) for (const listener of itemListeners) listener(stream, fresh)
  }

  function receiveError(frame: Extract<ServerFrame, { t: 'error' }>) {
    const error = new TransportError(frame.code, frame.message)
    const ref = frame.ref
    if (ref === undefined || !outbox.has(ref)) {
      if (frame.retryMs !== undefined) hintMs = frame.retryMs
      return
    }
    inflight.delete(ref)
    if (error.retryable) {
      timers.setTimeout(() => {
        const entry = outbox.entries().find((e) => e.id === ref)
        if (entry && isOpen() && !inflight.has(ref)) transmit(entry)
      }, frame.retryMs ?? 1_000)
      return
    }
    const entry = outbox.remove(ref)
    if (entry) for (const listener of rejectedListeners) listener(entry, error)
    settle(ref, { ok: false, id: ref, error })
  }

  void start()

  return {
    state: () => state,
    subscribe(listener) {
      stateListeners.add(listener)
      return () => stateListeners.delete(listener)
    },
    follow(stream, cursor = 0) {
      const held = followed.get(stream)
      if (held !== undefined && held >= cursor) return
      followed.set(stream, cursor)
      if (isOpen()) write({ t: 'sub', cursors: { [stream]: cursor } })
    },
    unfollow(stream) {
      if (!followed.delete(stream)) return
      if (isOpen()) write({ t: 'unsub', streams: [stream] })
    },
    cursor: (stream) => followed.get(stream),
    send(stream, body, sendOptions) {
      const id = sendOptions?.id ?? createId(now())
      const result = new Promise<SendResult>((resolve) => {
        const list = waiters.get(id) ?? []
        list.push(resolve)
        waiters.set(id, list)
      })
      if (outbox.has(id)) return result // the same id again: one item, one more waiter
      const fail = (error: TransportError) => {
        settle(id, { ok: false, id, error })
        return result
      }
      if (closedForGood()) return fail(new TransportError('closed', 'the transport is closed'))
      const frame = encodeFrame({ t: 'send', id, stream, body })
      if (new TextEncoder().encode(frame).length > maxFrameBytes) {
        return fail(
          new TransportError('payload_too_large', `the item exceeds ${maxFrameBytes} bytes`),
        )
      }
      if (outbox.entries().length >= maxOutbox) {
        return fail(new TransportError('outbox_full', `${maxOutbox} items await acknowledgement`))
      }
      const entry = { id, stream, body }
      outbox.add(entry)
      if (isOpen()) transmit(entry)
      return result
    },
    pending: (stream) =>
      stream === undefined ? outbox.entries() : outbox.entries().filter((e) => e.stream === stream),
    signal(topic, body) {
      if (!isOpen()) return false
      write({ t: 'signal', topic, body })
      return true
    },
    onItems(listener) {
      itemListeners.add(listener)
      return () => itemListeners.delete(listener)
    },
    onSignal(listener) {
      signalListeners.add(listener)
      return () => signalListeners.delete(listener)
    },
    onRejected(listener) {
      rejectedListeners.add(listener)
      return () => rejectedListeners.delete(listener)
    },
    probe() {
      if (state.status !== 'waiting') return
      timers.clearTimeout(retryTimer)
      void start()
    },
    close() {
      if (closedForGood()) return
      timers.clearTimeout(retryTimer)
      const socket = ws
      setState({ status: 'closed', reason: 'client' })
      down(CloseCodes.normal)
      socket?.close(CloseCodes.normal)
      failAll(new TransportError('closed', 'the transport was closed'))
    },
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled frame: ${JSON.stringify(value)}`)
}
