import { terminalCloseCodes } from '../protocol/codes.js'
import type { ServerFrame, StreamItem } from '../protocol/frames.js'
import { type BackoffOptions, backoffDefaults, retryDelay } from './backoff.js'
import type { Channel, ChannelContext, Timers } from './channel.js'
import { createId, createRandomPool } from './create-id.js'
import { mergeItems } from './merge-items.js'
import { createOutbox, type OutboxEntry, type StorageLike } from './outbox.js'
import { createPollChannel, type FetchLike } from './poll-channel.js'
import { TransportError } from './transport-error.js'
import { createWsChannel, type WebSocketConstructor } from './ws-channel.js'

/** The page events the client reacts to; `window` and `document` fit. */
export interface LifecycleTarget {
  addEventListener(type: string, listener: () => void): void
  removeEventListener(type: string, listener: () => void): void
}

export interface ConnectOptions {
  /** The transport endpoint, `ws(s)://…/transport` or `http(s)://…/transport`. */
  readonly url: string
  /** Returns the credentials sent in `hello` or as a bearer token; called on every connect. */
  readonly auth?: () => string | undefined | Promise<string | undefined>
  /** @default globalThis.WebSocket */
  readonly WebSocket?: WebSocketConstructor
  /** For long-poll. @default globalThis.fetch */
  readonly fetch?: FetchLike
  /** Which ways to reach the server, in order of preference. @default ['ws', 'poll'] */
  readonly channels?: ReadonlyArray<'ws' | 'poll'>
  /** Where the outbox survives a reload and the fallback outcome is remembered; `null` keeps both in memory. @default null */
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
  /** Time for a WebSocket to complete `hello` → `welcome` before it is given up. @default 5000 */
  readonly healthTimeoutMs?: number
  /** Time a WebSocket has to become healthy before long-poll starts in parallel. @default 1000 */
  readonly hedgeMs?: number
  /** How long the server holds a poll (must match the server). @default 25000 */
  readonly pollHoldMs?: number
  /** First delay before trying WebSocket again while on long-poll; doubles up to 5 minutes. @default 10000 */
  readonly wsProbeMs?: number
  /** How long a long-poll outcome is remembered for this endpoint. @default 900000 (15 minutes) */
  readonly rememberMs?: number
  /** Unacknowledged items the outbox holds at most; `send` answers `outbox_full` beyond. @default 100 */
  readonly maxOutbox?: number
  /**
   * `send` frames unacknowledged on a WebSocket at once; keep it under the server's burst
   * (60 by default) so that a long outbox is not cut short by the rate limit. @default 40
   */
  readonly maxInflight?: number
  /**
   * Targets of `online`, `pageshow`, `pagehide` (window) and `visibilitychange` (document).
   * @default globalThis.window and globalThis.document when they exist
   */
  readonly lifecycle?: {
    readonly window?: LifecycleTarget
    readonly document?: LifecycleTarget & { visibilityState?: string }
  }
}

export const connectDefaults = {
  storageKey: 'causette:outbox',
  channels: ['ws', 'poll'] as const,
  healthTimeoutMs: 5_000,
  hedgeMs: 1_000,
  pollHoldMs: 25_000,
  wsProbeMs: 10_000,
  rememberMs: 15 * 60_000,
  probeTimeoutMs: 5_000,
  maxOutbox: 100,
  maxInflight: 40,
  /** Until `welcome` says otherwise. */
  maxFrameBytes: 64 * 1024,
} as const

export type ConnectionState =
  | { readonly status: 'connecting'; readonly attempt: number }
  | { readonly status: 'open'; readonly via: 'ws' | 'poll' }
  | { readonly status: 'waiting'; readonly attempt: number; readonly retryInMs: number }
  /** The page was hidden into the back/forward cache; it resumes on `pageshow`. */
  | { readonly status: 'suspended' }
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
  /** Checks the connection now, or reconnects now if waiting (network back, tab shown). */
  probe(): void
  /** Closes for good. Unsent items stay in storage for the next page. */
  close(): void
}

const toWs = (url: string) => url.replace(/^http/, 'ws')
const toHttp = (url: string) => url.replace(/^ws/, 'http')

/**
 * Opens a reliable connection to a Causette transport endpoint: WebSocket first, long-poll
 * when the network says no, and back to WebSocket when it can, without loss.
 *
 * @example
 * const transport = connect({ url: 'wss://chat.example.com/transport', auth: () => token, storage: localStorage })
 * transport.follow('conv:42', 0)
 * transport.onItems((stream, items) => render(items))
 * await transport.send('conv:42', { type: 'text', text: 'Hello' })
 */
export function connect(options: ConnectOptions): Transport {
  const timers: Timers = options.timers ?? {
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as number),
  }
  const random = options.random ?? Math.random
  const now = options.now ?? Date.now
  const backoff = options.backoff ?? backoffDefaults
  const o = { ...connectDefaults, ...options }
  const storage = options.storage ?? null
  const outbox = createOutbox(storage, o.storageKey)
  const randomBytes = createRandomPool()
  const rememberKey = `causette:via:${toHttp(options.url)}`
  const useWs = o.channels.includes('ws')
  const usePoll = o.channels.includes('poll')

  let state: ConnectionState = { status: 'connecting', attempt: 0 }
  let attempt = 0
  let hintMs: number | undefined
  let maxFrameBytes: number = connectDefaults.maxFrameBytes
  let token: string | undefined
  let active: Channel | undefined
  let ws: Channel | undefined
  let poll: Channel | undefined
  let retryTimer: unknown
  let hedgeTimer: unknown
  let wsProbeTimer: unknown
  let wsProbes = 0
  const followed = new Map<string, number>()
  const waiters = new Map<string, Array<(result: SendResult) => void>>()
  const stateListeners = new Set<(state: ConnectionState) => void>()
  const itemListeners = new Set<(stream: string, items: readonly StreamItem[]) => void>()
  const signalListeners = new Set<(topic: string, body: unknown) => void>()
  const rejectedListeners = new Set<(entry: OutboxEntry, error: TransportError) => void>()

  const setState = (next: ConnectionState) => {
    state = next
    for (const listener of stateListeners) listener(next)
  }
  const stopped = () => state.status === 'closed' || state.status === 'suspended'

  function settle(id: string, result: SendResult) {
    const list = waiters.get(id)
    waiters.delete(id)
    for (const resolve of list ?? []) resolve(result)
  }

  function failAll(error: TransportError) {
    for (const id of [...waiters.keys()]) settle(id, { ok: false, id, error })
  }

  /** Long-poll won recently at this endpoint: a repeat visit behind the same proxy starts there. */
  function rememberedPoll(): boolean {
    try {
      const raw = storage?.getItem(rememberKey)
      const until = raw ? (JSON.parse(raw) as { until?: unknown }).until : undefined
      return typeof until === 'number' && until > now()
    } catch {
      return false
    }
  }

  function remember(via: 'ws' | 'poll') {
    try {
      if (via === 'ws') storage?.removeItem(rememberKey)
      else storage?.setItem(rememberKey, JSON.stringify({ until: now() + o.rememberMs }))
    } catch {
      // Only costs the shortcut on the next visit.
    }
  }

  const context = (): ChannelContext => ({
    token,
    cursors: () => Object.fromEntries(followed),
    pending: () => outbox.entries(),
    onHealthy,
    onFrame: (channel, frame) => {
      if (channel === active) receive(frame)
    },
    onDown,
  })

  function openWs() {
    ws = createWsChannel({
      url: toWs(options.url),
      WebSocket: options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketConstructor),
      timers,
      now,
      healthTimeoutMs: o.healthTimeoutMs,
      probeTimeoutMs: o.probeTimeoutMs,
      maxInflight: o.maxInflight,
      context: context(),
    })
  }

  function openPoll() {
    const fetchImpl = options.fetch ?? (globalThis.fetch?.bind(globalThis) as unknown as FetchLike)
    poll = createPollChannel({
      url: toHttp(options.url),
      fetch: fetchImpl,
      timers,
      holdMs: o.pollHoldMs,
      healthTimeoutMs: o.healthTimeoutMs,
      context: context(),
    })
  }

  async function start() {
    if (stopped()) return
    timers.clearTimeout(retryTimer)
    setState({ status: 'connecting', attempt })
    try {
      token = await options.auth?.()
    } catch {
      return scheduleReconnect()
    }
    if (stopped() || active || ws || poll) return
    if (usePoll && (!useWs || rememberedPoll())) {
      openPoll() // once healthy, it schedules the background WebSocket probe
      return
    }
    openWs()
    // Hedge: if the WebSocket is not healthy within about a second, race long-poll against it.
    if (usePoll) {
      hedgeTimer = timers.setTimeout(() => {
        if (!active && !poll && !stopped()) openPoll()
      }, o.hedgeMs)
    }
  }

  function onHealthy(channel: Channel, welcome: { heartbeatMs: number; maxFrameBytes: number }) {
    if (stopped()) return channel.close()
    if (channel.via === 'poll' && active) return channel.close() // the WebSocket won the race
    if (channel.via === 'ws') {
      timers.clearTimeout(hedgeTimer)
      timers.clearTimeout(wsProbeTimer)
      wsProbes = 0
      if (poll) {
        // Back to WebSocket. Nothing is lost in the move: cursors and the outbox carry over,
        // and anything both channels deliver is deduplicated by seq and id.
        const old = poll
        poll = undefined
        old.close()
      }
    } else if (useWs && !ws) {
      scheduleWsProbe()
    }
    active = channel
    remember(channel.via)
    if (channel.via === 'ws') maxFrameBytes = welcome.maxFrameBytes
    rejectOversized()
    attempt = 0
    setState({ status: 'open', via: channel.via })
    channel.flush()
  }

  function onDown(channel: Channel, code: number, retryMs?: number) {
    if (channel === ws) ws = undefined
    if (channel === poll) poll = undefined
    if (retryMs !== undefined) hintMs = retryMs
    const wasActive = channel === active
    if (wasActive) active = undefined
    if (stopped()) return
    if (terminalCloseCodes.has(code)) {
      closeAll()
      setState({ status: 'closed', reason: 'unauthorized' })
      failAll(new TransportError('unauthorized', 'the server refused the credentials'))
      return
    }
    if (active) {
      // A background WebSocket probe failed while long-poll carries the traffic: try later.
      if (channel.via === 'ws') scheduleWsProbe()
      return
    }
    // The WebSocket failed before anything was healthy (refused, reset): do not wait for the
    // hedge timer, start long-poll now.
    if (!wasActive && channel.via === 'ws' && usePoll && !poll) {
      timers.clearTimeout(hedgeTimer)
      openPoll()
      return
    }
    if (!ws && !poll) scheduleReconnect()
  }

  function scheduleReconnect() {
    closeAll()
    const delay = retryDelay(attempt, random(), hintMs, backoff)
    hintMs = undefined
    attempt++
    setState({ status: 'waiting', attempt, retryInMs: delay })
    retryTimer = timers.setTimeout(() => void start(), delay)
  }

  function scheduleWsProbe() {
    timers.clearTimeout(wsProbeTimer)
    const delay = Math.min(o.wsProbeMs * 2 ** wsProbes, 5 * 60_000)
    wsProbes++
    wsProbeTimer = timers.setTimeout(
      () => {
        if (active?.via === 'poll' && !ws && !stopped()) openWs()
      },
      Math.floor(delay / 2 + random() * (delay / 2)),
    )
  }

  function closeAll() {
    timers.clearTimeout(hedgeTimer)
    timers.clearTimeout(wsProbeTimer)
    timers.clearTimeout(retryTimer)
    const channels = [ws, poll]
    active = ws = poll = undefined
    for (const channel of channels) channel?.close()
  }

  /** Entries queued before the server announced a smaller frame limit would close every socket. */
  function rejectOversized() {
    for (const entry of outbox.entries()) {
      if (frameBytes(entry) <= maxFrameBytes) continue
      outbox.remove(entry.id)
      const error = new TransportError(
        'payload_too_large',
        `the item exceeds ${maxFrameBytes} bytes`,
      )
      for (const listener of rejectedListeners) listener(entry, error)
      settle(entry.id, { ok: false, id: entry.id, error })
    }
  }

  function receive(frame: ServerFrame) {
    switch (frame.t) {
      case 'items':
        return receiveItems(frame.stream, frame.items)
      case 'ack':
        acknowledge(frame.id, frame.seq)
        return active?.flush()
      case 'error':
        return receiveError(frame)
      case 'signal':
        for (const listener of signalListeners) listener(frame.topic, frame.body)
        return
      case 'welcome':
      case 'ping':
      case 'pong':
        return // handled by the channel
      default:
        return assertNever(frame)
    }
  }

  function receiveItems(stream: string, items: readonly StreamItem[]) {
    const cursor = followed.get(stream)
    if (cursor === undefined) return
    const merged = mergeItems(cursor, items)
    followed.set(stream, merged.cursor)
    // A gap: ask for a replay after what we hold; the server resends in order.
    if (merged.gap) active?.write({ t: 'sub', cursors: { [stream]: merged.cursor } })
    if (merged.fresh.length > 0)
      for (const listener of itemListeners) listener(stream, merged.fresh)
    // An item this client sent acknowledges it: the server skips the separate `ack` then.
    let acknowledged = false
    for (const item of items) {
      if (!outbox.has(item.id)) continue
      acknowledge(item.id, item.seq)
      acknowledged = true
    }
    if (acknowledged) active?.flush()
  }

  function acknowledge(id: string, seq: number) {
    outbox.remove(id)
    active?.release(id)
    settle(id, { ok: true, id, seq })
  }

  function receiveError(frame: Extract<ServerFrame, { t: 'error' }>) {
    const ref = frame.ref
    if (ref === undefined || !outbox.has(ref)) {
      if (frame.retryMs !== undefined) hintMs = frame.retryMs
      return
    }
    const error = new TransportError(frame.code, frame.message)
    if (error.retryable) {
      const channel = active
      timers.setTimeout(() => {
        channel?.release(ref)
        if (channel === active) channel?.flush()
      }, frame.retryMs ?? 1_000)
      return
    }
    const entry = outbox.remove(ref)
    if (entry) for (const listener of rejectedListeners) listener(entry, error)
    settle(ref, { ok: false, id: ref, error })
  }

  // Page lifecycle: probe at once when the network or the tab comes back; let go of the
  // socket on `pagehide`, so the host page stays eligible for the back/forward cache.
  const win = options.lifecycle?.window ?? (globalThis as { window?: LifecycleTarget }).window
  const doc =
    options.lifecycle?.document ??
    (globalThis as { document?: LifecycleTarget & { visibilityState?: string } }).document
  const onOnline = () => transport.probe()
  const onVisibility = () => {
    if (doc?.visibilityState !== 'hidden') transport.probe()
  }
  const onPageHide = () => {
    if (state.status === 'closed') return
    closeAll()
    setState({ status: 'suspended' })
  }
  const onPageShow = () => {
    if (state.status !== 'suspended') return transport.probe()
    attempt = 0
    setState({ status: 'connecting', attempt })
    void start()
  }
  win?.addEventListener('online', onOnline)
  win?.addEventListener('pagehide', onPageHide)
  win?.addEventListener('pageshow', onPageShow)
  doc?.addEventListener('visibilitychange', onVisibility)

  const transport: Transport = {
    state: () => state,
    subscribe(listener) {
      stateListeners.add(listener)
      return () => stateListeners.delete(listener)
    },
    follow(stream, cursor = 0) {
      const held = followed.get(stream)
      if (held !== undefined && held >= cursor) return
      followed.set(stream, cursor)
      active?.write({ t: 'sub', cursors: { [stream]: cursor } })
    },
    unfollow(stream) {
      if (!followed.delete(stream)) return
      active?.write({ t: 'unsub', streams: [stream] })
    },
    cursor: (stream) => followed.get(stream),
    send(stream, body, sendOptions) {
      const id = sendOptions?.id ?? createId(now(), randomBytes)
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
      if (state.status === 'closed')
        return fail(new TransportError('closed', 'the transport is closed'))
      if (frameBytes({ id, stream, body }) > maxFrameBytes) {
        return fail(
          new TransportError('payload_too_large', `the item exceeds ${maxFrameBytes} bytes`),
        )
      }
      if (outbox.entries().length >= o.maxOutbox) {
        return fail(new TransportError('outbox_full', `${o.maxOutbox} items await acknowledgement`))
      }
      outbox.add({ id, stream, body })
      active?.flush()
      return result
    },
    pending: (stream) =>
      stream === undefined ? outbox.entries() : outbox.entries().filter((e) => e.stream === stream),
    signal(topic, body) {
      if (!active) return false
      active.write({ t: 'signal', topic, body })
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
      if (state.status === 'waiting') {
        attempt = 0
        void start()
      } else active?.probe()
    },
    close() {
      if (state.status === 'closed') return
      setState({ status: 'closed', reason: 'client' })
      closeAll()
      win?.removeEventListener('online', onOnline)
      win?.removeEventListener('pagehide', onPageHide)
      win?.removeEventListener('pageshow', onPageShow)
      doc?.removeEventListener('visibilitychange', onVisibility)
      failAll(new TransportError('closed', 'the transport was closed'))
    },
  }

  void start()
  return transport
}

/** Bytes of the `send` frame that would carry an entry. */
function frameBytes(entry: OutboxEntry): number {
  const frame = JSON.stringify({ t: 'send', id: entry.id, stream: entry.stream, body: entry.body })
  return new TextEncoder().encode(frame).length
}

function assertNever(value: never): never {
  throw new Error(`unhandled frame: ${JSON.stringify(value)}`)
}
