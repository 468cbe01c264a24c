import { CloseCodes } from '../protocol/codes.js'
import { type ClientFrame, decodeServerFrame, type ServerFrame } from '../protocol/frames.js'
import type { Channel, ChannelContext, Timers } from './channel.js'

export type FetchLike = (
  url: string,
  init: {
    method: string
    headers: Record<string, string>
    body: string
    signal: AbortSignal
    credentials: 'same-origin'
  },
) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>

/** Most `send` frames in one request (the server's limit). */
const maxBatch = 100

/** The close code that stands for an HTTP status, so that the owner handles both channels alike. */
function closeCodeOf(status: number): number {
  if (status === 401 || status === 403) return CloseCodes.policy
  if (status === 413) return CloseCodes.tooBig
  if (status === 429 || status === 503) return CloseCodes.tryAgainLater
  return CloseCodes.internalError
}

/**
 * A long-poll channel: `POST …/poll` with the cursors, answered at once with what follows them
 * or held by the server until something does; `POST …/send` for batches of outbox entries.
 * Stateless: a lost response loses nothing, since the next poll asks from the same cursors and
 * sends are idempotent.
 */
export function createPollChannel(options: {
  /** The transport endpoint's HTTP URL, such as `https://chat.example.com/transport`. */
  readonly url: string
  readonly fetch: FetchLike
  readonly timers: Timers
  /** How long the server may hold a poll; the request is abandoned this much later plus 10 s. */
  readonly holdMs: number
  /** Time the first poll (answered at once by the server) has before the channel is given up. */
  readonly healthTimeoutMs: number
  readonly context: ChannelContext
}): Channel {
  const { context: ctx, timers } = options
  const inflight = new Set<string>()
  let healthy = false
  let closed = false
  let pollAbort: AbortController | undefined
  let sending = false
  let sendAgain = false

  function headers(): Record<string, string> {
    const h: Record<string, string> = { 'Content-Type': 'application/json' }
    if (ctx.token !== undefined) h.Authorization = `Bearer ${ctx.token}`
    return h
  }

  function down(code: number, retryMs?: number) {
    if (closed) return
    closed = true
    pollAbort?.abort()
    ctx.onDown(channel, code, retryMs)
  }

  /** One request; resolves to its frames, or undefined after reporting the channel down. */
  async function request(path: string, body: unknown, abort: AbortController, timeoutMs: number) {
    const timer = timers.setTimeout(() => abort.abort(), timeoutMs)
    try {
      const response = await options.fetch(`${options.url}/${path}`, {
        method: 'POST',
        headers: headers(),
        body: JSON.stringify(body),
        signal: abort.signal,
        credentials: 'same-origin',
      })
      const text = await response.text()
      const frames: ServerFrame[] = []
      try {
        const parsed = JSON.parse(text) as { frames?: unknown }
        for (const raw of Array.isArray(parsed.frames) ? parsed.frames : []) {
          const decoded = decodeServerFrame(JSON.stringify(raw))
          if (decoded.ok) frames.push(decoded.value)
        }
      } catch {
        // A proxy's HTML error page, a truncated body: treated like a failed request below.
        if (response.ok) return down(CloseCodes.internalError)
      }
      if (!response.ok) {
        const hint = frames.find((f): f is Extract<ServerFrame, { t: 'error' }> => f.t === 'error')
        return down(closeCodeOf(response.status), hint?.retryMs)
      }
      return frames
    } catch {
      return undefined
    } finally {
      timers.clearTimeout(timer)
    }
  }

  async function pollLoop() {
    while (!closed) {
      const abort = new AbortController()
      pollAbort = abort
      // The first poll asks for an immediate answer: it is the health check of this channel.
      const body = { cursors: ctx.cursors(), wait: healthy }
      const timeoutMs = healthy ? options.holdMs + 10_000 : options.healthTimeoutMs
      const frames = await request('poll', body, abort, timeoutMs)
      if (closed) return
      if (frames === undefined) {
        // Aborted to restart with new cursors (`sub`, `probe`): poll again at once.
        if (abort.signal.aborted && pollAbort !== abort) continue
        return down(CloseCodes.goingAway)
      }
      markHealthy()
      for (const frame of frames) ctx.onFrame(channel, frame)
    }
  }

  async function post(frames: readonly ClientFrame[]) {
    const answer = await request('send', { frames }, new AbortController(), 30_000)
    if (closed) return false
    if (answer === undefined) {
      down(CloseCodes.goingAway)
      return false
    }
    markHealthy()
    if (closed) return false
    for (const frame of answer) ctx.onFrame(channel, frame)
    return true
  }

  /** Sends pending entries in batches, one request at a time, until none is left unsent. */
  async function drain() {
    if (sending) {
      sendAgain = true
      return
    }
    sending = true
    try {
      do {
        sendAgain = false
        const batch = ctx
          .pending()
          .filter((e) => !inflight.has(e.id))
          .slice(0, maxBatch)
        if (batch.length === 0) break
        for (const entry of batch) inflight.add(entry.id)
        const ok = await post(
          batch.map((e) => ({ t: 'send', id: e.id, stream: e.stream, body: e.body })),
        )
        for (const entry of batch) inflight.delete(entry.id)
        if (!ok) return
        sendAgain ||= ctx.pending().some((e) => !inflight.has(e.id) && !batch.includes(e))
      } while (sendAgain && !closed)
    } finally {
      sending = false
    }
  }

  /** Any answered request proves the path: the first poll, or a send that raced it. */
  function markHealthy() {
    if (healthy || closed) return
    healthy = true
    ctx.onHealthy(channel, { heartbeatMs: options.holdMs, maxFrameBytes: 64 * 1024 })
  }

  /** Abandons the poll in flight and starts the next one at once (new cursors, or a probe). */
  function restartPoll() {
    const current = pollAbort
    pollAbort = undefined
    current?.abort()
  }

  const channel: Channel = {
    via: 'poll',
    flush() {
      // Not gated on health: when WebSocket is refused, the first sends go out alongside the
      // first poll instead of one round trip after it.
      if (!closed) void drain()
    },
    write(frame) {
      if (closed) return
      if (frame.t === 'signal') void post([frame])
      else restartPoll()
    },
    release(id) {
      inflight.delete(id)
    },
    probe() {
      if (healthy && !closed) restartPoll()
    },
    close() {
      down(CloseCodes.normal)
    },
  }
  void pollLoop()
  void drain()
  return channel
}
