import { CloseCodes } from '../protocol/codes.js'
import {
  type ClientFrame,
  decodeServerFrame,
  encodeFrame,
  protocolVersion,
} from '../protocol/frames.js'
import type { Channel, ChannelContext, Timers } from './channel.js'

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

/**
 * A WebSocket channel. Healthy only after `hello` → `welcome` (an application-level round
 * trip), not at `open`: proxies and antivirus software accept upgrades and then stall.
 */
export function createWsChannel(options: {
  readonly url: string
  readonly WebSocket: WebSocketConstructor
  readonly timers: Timers
  readonly now: () => number
  readonly healthTimeoutMs: number
  /** How long a probe waits for any frame before giving the socket up. */
  readonly probeTimeoutMs: number
  /** Unacknowledged `send` frames on the wire at once; more follow as acknowledgements arrive. */
  readonly maxInflight: number
  readonly context: ChannelContext
}): Channel {
  const { timers, context: ctx } = options
  const inflight = new Set<string>()
  let healthy = false
  let closed = false
  let heartbeatMs = 25_000
  let lastSeen = options.now()
  let retryHint: number | undefined
  let watchdog: unknown
  let probeTimer: unknown
  let pings = 0
  let helloCursors: Record<string, number> = {}

  /** Streams followed (or moved back) between `hello` and `welcome` were not in `hello`. */
  function followSince() {
    const missed = Object.entries(ctx.cursors()).filter(
      ([stream, cursor]) => helloCursors[stream] !== cursor,
    )
    if (missed.length > 0) write({ t: 'sub', cursors: Object.fromEntries(missed) })
  }

  function write(frame: ClientFrame) {
    if (closed) return
    try {
      socket?.send(encodeFrame(frame))
    } catch {
      // The socket is closing; `onclose` reports it and the outbox keeps the items.
    }
  }

  function down(code: number) {
    if (closed) return
    closed = true
    timers.clearTimeout(healthTimer)
    timers.clearTimeout(watchdog)
    timers.clearTimeout(probeTimer)
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null
      // Closing a socket that is still connecting reports an error; nobody needs to hear it.
      socket.onerror = () => undefined
      try {
        socket.close(code === CloseCodes.normal ? CloseCodes.normal : undefined)
      } catch {
        // already closed
      }
    }
    ctx.onDown(channel, code, retryHint)
  }

  function armWatchdog() {
    timers.clearTimeout(watchdog)
    // Generous: background tabs throttle timers to once a minute.
    const graceMs = heartbeatMs * 3
    watchdog = timers.setTimeout(() => {
      if (options.now() - lastSeen > graceMs) down(CloseCodes.heartbeatTimeout)
      else armWatchdog()
    }, graceMs)
  }

  const channel: Channel = {
    via: 'ws',
    flush() {
      if (!healthy || closed) return
      for (const entry of ctx.pending()) {
        // A window, so that a long outbox does not arrive as one burst over the rate limit.
        if (inflight.size >= options.maxInflight) return
        if (inflight.has(entry.id)) continue
        inflight.add(entry.id)
        write({ t: 'send', id: entry.id, stream: entry.stream, body: entry.body })
      }
    },
    write(frame) {
      if (healthy) write(frame)
    },
    release(id) {
      inflight.delete(id)
    },
    probe() {
      if (!healthy || closed) return
      const seenBefore = lastSeen
      write({ t: 'ping', n: ++pings })
      timers.clearTimeout(probeTimer)
      probeTimer = timers.setTimeout(() => {
        if (lastSeen === seenBefore) down(CloseCodes.heartbeatTimeout)
      }, options.probeTimeoutMs)
    },
    close() {
      down(CloseCodes.normal)
    },
  }

  let socket: WebSocketLike | undefined
  const healthTimer = timers.setTimeout(() => {
    if (!healthy) down(CloseCodes.goingAway)
  }, options.healthTimeoutMs)
  try {
    socket = new options.WebSocket(options.url)
  } catch {
    // An invalid URL or a blocked scheme: report it like a refused connection, asynchronously.
    timers.setTimeout(() => down(CloseCodes.internalError), 0)
    return channel
  }
  socket.onopen = () => {
    const cursors = ctx.cursors()
    helloCursors = cursors
    write(
      ctx.token === undefined
        ? { t: 'hello', v: protocolVersion, cursors }
        : { t: 'hello', v: protocolVersion, auth: ctx.token, cursors },
    )
  }
  socket.onmessage = (event) => {
    if (closed || typeof event.data !== 'string') return
    lastSeen = options.now()
    const decoded = decodeServerFrame(event.data)
    if (!decoded.ok) return
    const frame = decoded.value
    switch (frame.t) {
      case 'welcome':
        if (healthy) return
        healthy = true
        timers.clearTimeout(healthTimer)
        heartbeatMs = frame.heartbeatMs
        armWatchdog()
        followSince()
        return ctx.onHealthy(channel, frame)
      case 'ping':
        return write({ t: 'pong', n: frame.n })
      case 'pong':
        return
      case 'error':
        // An error frame with a hint usually precedes a close (1013): reconnect after it.
        if (frame.retryMs !== undefined) retryHint = frame.retryMs
        return ctx.onFrame(channel, frame)
      default:
        return ctx.onFrame(channel, frame)
    }
  }
  socket.onclose = (event) => down(event.code)
  socket.onerror = () => {
    // `close` follows `error`; it is handled there.
  }
  return channel
}
