import type { ConversationSummary } from '@causette/events'

/**
 * Whether `next` is the same or a later state of a conversation than `held`. `lastSeq` grows
 * with every message; `updatedAt` also moves on changes without a message (closing).
 */
export function isSameOrNewer(next: ConversationSummary, held: ConversationSummary): boolean {
  if (next.lastSeq !== held.lastSeq) return next.lastSeq > held.lastSeq
  return timeOf(next.updatedAt) >= timeOf(held.updatedAt)
}

/** Most recently updated first; the id breaks ties so the order never flickers. */
export function sortConversations(
  list: readonly ConversationSummary[],
): readonly ConversationSummary[] {
  return [...list].sort(
    (a, b) => timeOf(b.updatedAt) - timeOf(a.updatedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  )
}

/**
 * Applies one conversation change to the list of open conversations: inserts it, replaces an
 * older state of it, or removes it once it is no longer open. A stale state changes nothing,
 * and the list is returned as is, so callers can skip a render.
 */
export function upsertConversation(
  list: readonly ConversationSummary[],
  next: ConversationSummary,
): readonly ConversationSummary[] {
  const index = list.findIndex((c) => c.id === next.id)
  const held = list[index]
  if (held && !isSameOrNewer(next, held)) return list
  const rest = index === -1 ? list : list.filter((_, i) => i !== index)
  if (next.status !== 'open') return rest
  return sortConversations([...rest, next])
}

/**
 * The list after a REST refetch: the snapshot is the truth, then the changes signalled while
 * it was in flight are applied on top (the snapshot may predate them; signals are not replayed).
 */
export function fromSnapshot(
  snapshot: readonly ConversationSummary[],
  signalledSince: readonly ConversationSummary[] = [],
): readonly ConversationSummary[] {
  const byId = new Map<string, ConversationSummary>()
  for (const next of [...snapshot, ...signalledSince]) {
    const held = byId.get(next.id)
    if (!held || isSameOrNewer(next, held)) byId.set(next.id, next)
  }
  return sortConversations([...byId.values()].filter((c) => c.status === 'open'))
}

function timeOf(iso: string): number {
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? 0 : ms
}
