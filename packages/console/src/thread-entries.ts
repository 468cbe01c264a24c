import { type Author, ChatItem, decode } from '@causette/events'
import type { StreamItem, TransportError } from '@causette/transport'
import type { Reply } from './reply-tracker.js'

/** One line of a conversation as the thread shows it. */
export type ThreadEntry =
  | {
      readonly kind: 'message'
      readonly id: string
      readonly author: Author
      readonly text: string
      readonly at: string
      /** `stored`: the stream holds it. The others are the agent's own replies on their way. */
      readonly delivery: 'stored' | 'sending' | 'sent'
    }
  | {
      readonly kind: 'failed'
      readonly id: string
      readonly author: Author
      readonly text: string
      readonly at: string
      readonly error: TransportError
    }
  | { readonly kind: 'unreadable'; readonly id: string; readonly seq: number }

/**
 * Adds newly received stream items to those held, keeping seq order and each seq once (the
 * transport already guarantees both; this keeps the view right if it is ever fed twice).
 */
export function appendItems(
  held: readonly StreamItem[],
  incoming: readonly StreamItem[],
): readonly StreamItem[] {
  let lastSeq = held.at(-1)?.seq ?? 0
  const fresh: StreamItem[] = []
  for (const item of incoming) {
    if (item.seq <= lastSeq) continue
    fresh.push(item)
    lastSeq = item.seq
  }
  return fresh.length === 0 ? held : [...held, ...fresh]
}

/**
 * The thread: the stored items in seq order, then the agent's replies that the stream does not
 * hold yet, in the order they were sent. A reply the stream already holds shows once, as stored.
 */
export function threadEntries(
  items: readonly StreamItem[],
  replies: readonly Reply[],
  self: { readonly id: string; readonly name: string },
): readonly ThreadEntry[] {
  const entries: ThreadEntry[] = []
  const held = new Set<string>()
  for (const item of items) {
    held.add(item.id)
    const decoded = decode(ChatItem, item.body)
    if (!decoded.ok) {
      entries.push({ kind: 'unreadable', id: item.id, seq: item.seq })
      continue
    }
    const { author, content, at } = decoded.value
    entries.push({
      kind: 'message',
      id: item.id,
      author,
      text: content.text,
      at,
      delivery: 'stored',
    })
  }
  const author: Author = { role: 'agent', id: self.id, name: self.name }
  for (const reply of replies) {
    if (held.has(reply.id)) continue
    const { id, text, at } = reply
    entries.push(
      reply.state === 'failed'
        ? { kind: 'failed', id, author, text, at, error: reply.error }
        : { kind: 'message', id, author, text, at, delivery: reply.state },
    )
  }
  return entries
}
