import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ErrorCode } from '../protocol/codes.js'
import {
  type ClientFrame,
  type Cursors,
  decodeClientFrame,
  type ServerFrame,
  type StreamItem,
} from '../protocol/frames.js'
import type { Authenticated, TransportHooks, TransportLogger } from './create-transport-server.js'
import { createTokenBucket, type TokenBucket } from './token-bucket.js'

type ErrorFrame = Extract<ServerFrame, { t: 'error' }>

export interface LongPollOptions<P> {
  readonly hooks: TransportHooks<P>
  /** Path of the WebSocket endpoint; long-poll answers `${path}/poll` and `${path}/send`. */
  readonly path: string
  readonly holdMs: number
  readonly maxBodyBytes: number
  readonly maxHeldPolls: number
  readonly replayBatch: number
  readonly rate: { readonly perSecond: number; readonly burst: number }
  readonly now: () => number
  readonly log: TransportLogger | undefined
  /** Shared with the WebSocket side, so that both paths store and answer `send` alike. */
  readonly handleSend: (
    principal: P,
    frame: Extract<ClientFrame, { t: 'send' }>,
  ) => Promise<ServerFrame>
  readonly isClosing: () => boolean
  readonly clientIp: (request: IncomingMessage) => string
}

interface HeldPoll {
  readonly streams: readonly string[]
  readonly topics: readonly string[]
  readonly signals: ServerFrame[]
  wake(): void
}

/** Most frames in one `send` request. */
export const maxFramesPerSend = 100

/**
 * The long-poll half of the transport. Stateless by design: a poll carries its cursors and is
 * answered from the store, so any server node can answer any request and a response lost in
 * flight loses nothing (the next poll asks again from the same cursors).
 */
export function createLongPoll<P>(o: LongPollOptions<P>) {
  const held = new Set<HeldPoll>()
  const byStream = new Map<string, Set<HeldPoll>>()
  // Per-IP buckets bound the request rate of one address on this node. The map is pruned of
  // full buckets every minute, so its size follows the addresses active in the last minute.
  const buckets = new Map<string, { bucket: TokenBucket; lastUsed: number }>()
  const counters = { polls: 0, sends: 0, rejected: 0 }
  let sendsInFlight = 0
  const idleWaiters: Array<() => void> = []
  const prune = setInterval(() => {
    const idle = o.now() - 60_000
    for (const [ip, entry] of buckets) if (entry.lastUsed < idle) buckets.delete(ip)
  }, 60_000)
  prune.unref()

  function respond(
    res: ServerResponse,
    status: number,
    frames: readonly ServerFrame[],
    headers: Record<string, string> = {},
  ) {
    if (res.writableEnded || res.destroyed) return
    const body = JSON.stringify({ frames })
    res.writeHead(status, {
      ...headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
    })
    res.end(body)
  }

  function fail(
    res: ServerResponse,
    status: number,
    code: ErrorCode,
    message: string,
    retryMs?: number,
  ) {
    counters.rejected++
    const frame: ErrorFrame =
      retryMs === undefined ? { t: 'error', code, message } : { t: 'error', code, message, retryMs }
    const headers: Record<string, string> =
      retryMs === undefined ? {} : { 'Retry-After': String(Math.ceil(retryMs / 1000)) }
    respond(res, status, [frame], headers)
  }

  async function readBody(req: IncomingMessage): Promise<string | undefined> {
    let size = 0
    const chunks: Buffer[] = []
    for await (const chunk of req) {
      size += (chunk as Buffer).length
      if (size > o.maxBodyBytes) return undefined
      chunks.push(chunk as Buffer)
    }
    return Buffer.concat(chunks).toString('utf8')
  }

  function corsHeaders(req: IncomingMessage, res: ServerResponse) {
    const origin = req.headers.origin
    if (origin === undefined) return
    res.setHeader('Access-Control-Allow-Origin', origin)
    res.setHeader('Vary', 'Origin')
  }

  /** Answers a long-poll request if it is one; resolves to false for any other path. */
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const { pathname } = new URL(req.url ?? '/', 'http://x')
    const kind =
      pathname === `${o.path}/poll` ? 'poll' : pathname === `${o.path}/send` ? 'send' : undefined
    if (!kind) return false
    let allowed = false
    try {
      allowed = await o.hooks.allowOrigin(req.headers.origin, req)
    } catch (error) {
      o.log?.error({ err: error }, 'allowOrigin failed')
    }
    if (!allowed) {
      fail(res, 403, 'forbidden', 'origin not allowed')
      return true
    }
    corsHeaders(req, res)
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type',
        'Access-Control-Max-Age': '600',
      })
      res.end()
      return true
    }
    if (req.method !== 'POST') {
      fail(res, 405, 'bad_frame', 'use POST')
      return true
    }
    if (o.isClosing()) {
      fail(res, 503, 'unavailable', 'server draining', 1_000 + Math.floor(Math.random() * 4_000))
      return true
    }
    const ip = o.clientIp(req)
    let entry = buckets.get(ip)
    if (!entry) {
      entry = { bucket: createTokenBucket(o.rate.perSecond, o.rate.burst, o.now), lastUsed: 0 }
      buckets.set(ip, entry)
    }
    entry.lastUsed = o.now()
    const wait = entry.bucket.take()
    if (wait > 0) {
      fail(res, 429, 'rate_limited', 'too many requests', Math.max(wait, 100))
      return true
    }
    const text = await readBody(req)
    if (text === undefined) {
      fail(res, 413, 'frame_too_large', `body over ${o.maxBodyBytes} bytes`)
      return true
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      fail(res, 400, 'bad_frame', 'body is not valid JSON')
      return true
    }
    const header = req.headers.authorization
    const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined
    const authed = await o.hooks.authenticate({ token, request: req })
    if (!authed) {
      fail(res, 401, 'unauthorized', 'invalid credentials')
      return true
    }
    if (kind === 'poll') await poll(res, authed, parsed)
    else {
      sendsInFlight++
      try {
        await sendBatch(res, authed.principal, parsed)
      } finally {
        if (--sendsInFlight === 0) for (const resolve of idleWaiters.splice(0)) resolve()
      }
    }
    return true
  }

  async function collect(principal: P, cursors: Cursors) {
    const frames: ServerFrame[] = []
    const streams: string[] = []
    for (const [stream, cursor] of Object.entries(cursors)) {
      if (!(await o.hooks.authorize(principal, stream, 'read'))) {
        frames.push({
          t: 'error',
          code: 'forbidden',
          message: 'not allowed to follow this stream',
          ref: stream,
        })
        continue
      }
      streams.push(stream)
      const items: readonly StreamItem[] = await o.hooks.replay(stream, cursor, o.replayBatch)
      if (items.length > 0) frames.push({ t: 'items', stream, items })
    }
    return { frames, streams }
  }

  async function poll(res: ServerResponse, authed: Authenticated<P>, body: unknown) {
    counters.polls++
    o.hooks.onPoll?.(authed.principal)
    const cursors = (body as { cursors?: unknown } | null)?.cursors
    const decoded = decodeClientFrame(JSON.stringify({ t: 'sub', cursors }))
    if (!decoded.ok || decoded.value.t !== 'sub')
      return fail(res, 400, 'bad_frame', 'poll needs cursors')
    const first = await collect(authed.principal, decoded.value.cursors)
    // `wait: false` is the client's first poll: a round trip that proves the path works.
    const wait = (body as { wait?: unknown }).wait !== false
    if (first.frames.length > 0 || !wait) return respond(res, 200, first.frames)
    if (held.size >= o.maxHeldPolls) {
      return fail(
        res,
        503,
        'unavailable',
        'too many held polls',
        1_000 + Math.floor(Math.random() * 4_000),
      )
    }
    // Nothing yet: hold the request until a followed stream moves, a signal arrives, or the
    // hold time runs out (then an empty answer, and the client polls again at once).
    const entry = await hold(res, first.streams, authed.topics ?? [])
    if (res.destroyed || res.writableEnded) return
    const after = await collect(authed.principal, decoded.value.cursors)
    respond(res, 200, [...after.frames, ...entry.signals])
  }

  function hold(res: ServerResponse, streams: readonly string[], topics: readonly string[]) {
    return new Promise<HeldPoll>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const entry: HeldPoll = {
        streams,
        topics,
        signals: [],
        wake() {
          if (!held.delete(entry)) return // already answered
          clearTimeout(timer)
          for (const stream of streams) {
            const set = byStream.get(stream)
            set?.delete(entry)
            if (set?.size === 0) byStream.delete(stream)
          }
          resolve(entry)
        },
      }
      held.add(entry)
      for (const stream of streams) {
        const set = byStream.get(stream)
        if (set) set.add(entry)
        else byStream.set(stream, new Set([entry]))
      }
      timer = setTimeout(entry.wake, o.holdMs)
      // The client went away (or a proxy cut it): free the slot at once.
      res.once('close', entry.wake)
    })
  }

  async function sendBatch(res: ServerResponse, principal: P, body: unknown) {
    counters.sends++
    const frames = (body as { frames?: unknown })?.frames
    if (!Array.isArray(frames) || frames.length > maxFramesPerSend) {
      return fail(res, 400, 'bad_frame', `send needs frames (at most ${maxFramesPerSend})`)
    }
    const answers: ServerFrame[] = []
    for (const raw of frames) {
      const decoded = decodeClientFrame(JSON.stringify(raw))
      if (!decoded.ok) {
        answers.push({ t: 'error', code: 'bad_frame', message: decoded.error })
        continue
      }
      const frame = decoded.value
      if (frame.t === 'send') {
        let answer: ServerFrame
        try {
          answer = await o.handleSend(principal, frame)
        } catch (error) {
          o.log?.error({ err: error }, 'long-poll send failed')
          answer = {
            t: 'error',
            code: 'internal',
            message: 'internal error',
            ref: frame.id,
            retryMs: 1_000,
          }
        }
        answers.push(answer)
        // The rest of the batch must not overtake an item that may be retried: stop here,
        // and the client sends the unanswered ones again, in order.
        if (answer.t === 'error' && answer.code === 'internal') break
      } else if (frame.t === 'signal') await o.hooks.onSignal?.(principal, frame.topic, frame.body)
      else
        answers.push({
          t: 'error',
          code: 'bad_frame',
          message: `${frame.t} is not sent over long-poll`,
        })
    }
    respond(res, 200, answers)
  }

  return {
    handle,
    /** A stream moved: answer the polls held on it (they re-read from the store). */
    wake(stream: string) {
      for (const entry of [...(byStream.get(stream) ?? [])]) entry.wake()
    },
    signal(topic: string, body: unknown) {
      for (const entry of [...held]) {
        if (entry.topics.includes(topic) || entry.streams.includes(topic)) {
          entry.signals.push({ t: 'signal', topic, body })
          entry.wake()
        }
      }
    },
    /** Resolves when no `send` request is being handled. */
    idle(): Promise<void> {
      if (sendsInFlight === 0) return Promise.resolve()
      return new Promise((resolve) => idleWaiters.push(resolve))
    },
    /** Answers every held poll: each re-reads from the store. */
    wakeAll() {
      for (const entry of [...held]) entry.wake()
    },
    stats: () => ({ heldPolls: held.size, ...counters }),
    close() {
      clearInterval(prune)
      for (const entry of [...held]) entry.wake()
    },
  }
}
