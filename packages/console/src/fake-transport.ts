import {
  type ConnectionState,
  type OutboxEntry,
  type SendResult,
  type StreamItem,
  type Transport,
  TransportError,
  type TransportErrorCode,
} from '@causette/transport'

/** Drives a `Transport` by hand in tests: state changes, items, signals, acks and refusals. */
export interface FakeTransport {
  readonly transport: Transport
  /** Streams followed, with the cursor they were followed from. */
  readonly followed: ReadonlyMap<string, number>
  /** Every `send` call, in order. */
  readonly sent: readonly OutboxEntry[]
  readonly closed: boolean
  setState(state: ConnectionState): void
  deliver(stream: string, items: readonly StreamItem[]): void
  signal(topic: string, body: unknown): void
  ack(id: string, seq: number): void
  reject(id: string, code: TransportErrorCode): void
}

/** A `Transport` with no network, for tests. Its outbox may start with `pending` entries. */
export function createFakeTransport(pending: readonly OutboxEntry[] = []): FakeTransport {
  let state: ConnectionState = { status: 'connecting', attempt: 0 }
  let outbox: OutboxEntry[] = [...pending]
  let closed = false
  const followed = new Map<string, number>()
  const sent: OutboxEntry[] = []
  const waiters = new Map<string, Array<(result: SendResult) => void>>()
  const stateListeners = new Set<(state: ConnectionState) => void>()
  const itemListeners = new Set<(stream: string, items: readonly StreamItem[]) => void>()
  const signalListeners = new Set<(topic: string, body: unknown) => void>()
  const rejectedListeners = new Set<(entry: OutboxEntry, error: TransportError) => void>()

  function settle(id: string, result: SendResult) {
    const list = waiters.get(id) ?? []
    waiters.delete(id)
    for (const resolve of list) resolve(result)
  }

  function listen<T>(set: Set<T>, listener: T) {
    set.add(listener)
    return () => {
      set.delete(listener)
    }
  }

  const transport: Transport = {
    state: () => state,
    subscribe: (listener) => listen(stateListeners, listener),
    follow(stream, cursor = 0) {
      followed.set(stream, cursor)
    },
    unfollow(stream) {
      followed.delete(stream)
    },
    cursor: (stream) => followed.get(stream),
    send(stream, body, options) {
      const id = options?.id ?? `id-${sent.length + 1}`
      const result = new Promise<SendResult>((resolve) => {
        waiters.set(id, [...(waiters.get(id) ?? []), resolve])
      })
      if (closed) {
        settle(id, { ok: false, id, error: new TransportError('closed', 'closed') })
        return result
      }
      const entry = { id, stream, body }
      sent.push(entry)
      if (!outbox.some((e) => e.id === id)) outbox = [...outbox, entry]
      return result
    },
    pending: (stream) =>
      stream === undefined ? outbox : outbox.filter((e) => e.stream === stream),
    signal: () => state.status === 'open',
    onItems: (listener) => listen(itemListeners, listener),
    onSignal: (listener) => listen(signalListeners, listener),
    onRejected: (listener) => listen(rejectedListeners, listener),
    probe() {},
    close() {
      closed = true
      state = { status: 'closed', reason: 'client' }
      for (const id of [...waiters.keys()]) {
        settle(id, { ok: false, id, error: new TransportError('closed', 'closed') })
      }
    },
  }

  return {
    transport,
    followed,
    sent,
    get closed() {
      return closed
    },
    setState(next) {
      state = next
      for (const listener of stateListeners) listener(next)
    },
    deliver(stream, items) {
      if (!followed.has(stream)) return
      for (const listener of itemListeners) listener(stream, items)
    },
    signal(topic, body) {
      for (const listener of signalListeners) listener(topic, body)
    },
    ack(id, seq) {
      outbox = outbox.filter((e) => e.id !== id)
      settle(id, { ok: true, id, seq })
    },
    reject(id, code) {
      const entry = outbox.find((e) => e.id === id)
      outbox = outbox.filter((e) => e.id !== id)
      const error = new TransportError(code, `refused: ${code}`)
      if (entry) for (const listener of rejectedListeners) listener(entry, error)
      settle(id, { ok: false, id, error })
    },
  }
}
