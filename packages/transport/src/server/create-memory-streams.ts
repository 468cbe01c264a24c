import type { StreamItem } from '../protocol/frames.js'

export interface MemoryStreams {
  /** Appends an item, or returns the stored one if the stream already holds this id. */
  append(stream: string, id: string, body: unknown): { item: StreamItem; duplicate: boolean }
  replay(stream: string, afterSeq: number, limit: number): StreamItem[]
}

/**
 * In-memory streams with the store's semantics (gapless seq, idempotent ids), for tests,
 * benchmarks and demos. Not durable: a real deployment appends to its database.
 */
export function createMemoryStreams(): MemoryStreams {
  const streams = new Map<string, { items: StreamItem[]; ids: Map<string, StreamItem> }>()
  const get = (name: string) => {
    const existing = streams.get(name)
    if (existing) return existing
    const created = { items: [] as StreamItem[], ids: new Map<string, StreamItem>() }
    streams.set(name, created)
    return created
  }
  return {
    append(stream, id, body) {
      const s = get(stream)
      const existing = s.ids.get(id)
      if (existing) return { item: existing, duplicate: true }
      const item = { seq: s.items.length + 1, id, body }
      s.items.push(item)
      s.ids.set(id, item)
      return { item, duplicate: false }
    },
    replay(stream, afterSeq, limit) {
      // seq n sits at index n - 1, so a replay is a slice, not a scan.
      return get(stream).items.slice(afterSeq, afterSeq + limit)
    },
  }
}
