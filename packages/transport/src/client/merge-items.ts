import type { StreamItem } from '../protocol/frames.js'

export interface MergeResult {
  /** The new highest contiguous seq held. */
  readonly cursor: number
  /** Items to hand to listeners: consecutive, each once, in order. */
  readonly fresh: readonly StreamItem[]
  /** True when an item beyond `cursor + 1` arrived: the missing range must be fetched. */
  readonly gap: boolean
}

/**
 * Merges items that arrived for a stream into what the client holds: drops what it already
 * has (seq at or below the cursor), accepts the consecutive run after it, and stops at a gap.
 * Pure, so that any interleaving of duplicates, reorders and drops can be checked.
 */
export function mergeItems(cursor: number, items: readonly StreamItem[]): MergeResult {
  const fresh: StreamItem[] = []
  let held = cursor
  for (const item of [...items].sort((a, b) => a.seq - b.seq)) {
    if (item.seq <= held) continue
    if (item.seq !== held + 1) return { cursor: held, fresh, gap: true }
    fresh.push(item)
    held = item.seq
  }
  return { cursor: held, fresh, gap: false }
}
