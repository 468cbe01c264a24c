import type { MessageInput } from '@causette/events'
import { createId, type SendResult, type Transport, type TransportError } from '@causette/transport'

/** A reply the agent wrote, from the moment it is sent until the stream holds it. */
export type Reply = {
  readonly id: string
  readonly stream: string
  readonly text: string
  /** When the agent sent it (client time, ISO 8601). */
  readonly at: string
} & (
  | { readonly state: 'sending' }
  | { readonly state: 'sent'; readonly seq: number }
  | { readonly state: 'failed'; readonly error: TransportError }
)

export interface ReplyTracker {
  /** Sends a validated reply on a stream; its progress shows in `replies`. */
  send(stream: string, input: MessageInput): void
  /** Sends a failed reply again, with the same id (the server keeps one copy). */
  retry(id: string): void
  /** Forgets a failed reply. */
  discard(id: string): void
  /** The replies of a stream that the stream does not hold yet; the same array until it changes. */
  replies(stream: string): readonly Reply[]
  subscribe(listener: () => void): () => void
  /** Stops listening to the transport; the transport itself stays open. */
  dispose(): void
}

const none: readonly Reply[] = []

/**
 * Tracks the agent's replies on top of the transport's outbox: "Sending…" until acknowledged,
 * a typed error when refused, and gone once the stream delivers the stored item. Replies left
 * in the outbox by a previous page are picked up as sending.
 */
export function createReplyTracker(
  transport: Transport,
  options: { readonly now?: () => number } = {},
): ReplyTracker {
  const now = options.now ?? Date.now
  const byStream = new Map<string, readonly Reply[]>()
  const listeners = new Set<() => void>()
  let disposed = false

  function update(stream: string, change: (list: readonly Reply[]) => readonly Reply[]) {
    const list = byStream.get(stream) ?? none
    const next = change(list)
    if (next === list) return
    if (next.length === 0) byStream.delete(stream)
    else byStream.set(stream, next)
    for (const listener of listeners) listener()
  }

  function find(id: string): Reply | undefined {
    for (const list of byStream.values()) {
      const found = list.find((r) => r.id === id)
      if (found) return found
    }
    return undefined
  }

  function replace(reply: Reply) {
    update(reply.stream, (list) => list.map((r) => (r.id === reply.id ? reply : r)))
  }

  function settle(stream: string, result: SendResult) {
    if (disposed) return
    const reply = byStream.get(stream)?.find((r) => r.id === result.id)
    if (!reply) return // already delivered on the stream, or discarded
    const { id, text, at } = reply
    replace(
      result.ok
        ? { id, stream, text, at, state: 'sent', seq: result.seq }
        : { id, stream, text, at, state: 'failed', error: result.error },
    )
  }

  function transmit(stream: string, id: string, text: string) {
    const body: MessageInput = { type: 'text', text }
    void transport.send(stream, body, { id }).then((result) => settle(stream, result))
  }

  // Replies a previous page left unacknowledged: the transport resends them; sending the
  // same id again only adds a waiter, so their outcome shows here too.
  for (const entry of transport.pending()) {
    const text = textOf(entry.body)
    if (text === undefined) continue
    const reply: Reply = {
      id: entry.id,
      stream: entry.stream,
      text,
      at: new Date(timeOfId(entry.id) ?? now()).toISOString(),
      state: 'sending',
    }
    update(entry.stream, (list) => [...list, reply])
    transmit(entry.stream, entry.id, text)
  }

  const offItems = transport.onItems((stream, items) => {
    const delivered = new Set(items.map((item) => item.id))
    update(stream, (list) =>
      list.some((r) => delivered.has(r.id)) ? list.filter((r) => !delivered.has(r.id)) : list,
    )
  })

  return {
    send(stream, input) {
      const id = createId(now())
      const reply: Reply = {
        id,
        stream,
        text: input.text,
        at: new Date(now()).toISOString(),
        state: 'sending',
      }
      update(stream, (list) => [...list, reply])
      transmit(stream, id, input.text)
    },
    retry(id) {
      const reply = find(id)
      if (reply?.state !== 'failed') return
      const { stream, text, at } = reply
      replace({ id, stream, text, at, state: 'sending' })
      transmit(stream, id, text)
    },
    discard(id) {
      const reply = find(id)
      if (reply?.state !== 'failed') return
      update(reply.stream, (list) => list.filter((r) => r.id !== id))
    },
    replies: (stream) => byStream.get(stream) ?? none,
    subscribe(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
    dispose() {
      disposed = true
      offItems()
      listeners.clear()
    },
  }
}

function textOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const { type, text } = body as { type?: unknown; text?: unknown }
  return type === 'text' && typeof text === 'string' ? text : undefined
}

/** The creation time a UUIDv7 carries in its first 48 bits. */
function timeOfId(id: string): number | undefined {
  const hex = id.replace(/-/g, '').slice(0, 12)
  if (!/^[0-9a-f]{12}$/i.test(hex) || id[14] !== '7') return undefined
  return Number.parseInt(hex, 16)
}
