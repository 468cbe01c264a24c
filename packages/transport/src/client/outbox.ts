/** The subset of the Web Storage API the outbox needs; `localStorage` fits. */
export interface StorageLike {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

export interface OutboxEntry {
  readonly id: string
  readonly stream: string
  readonly body: unknown
}

export interface Outbox {
  entries(): readonly OutboxEntry[]
  add(entry: OutboxEntry): void
  remove(id: string): OutboxEntry | undefined
  has(id: string): boolean
}

/**
 * Unacknowledged items, kept in storage so that a reload resends them. Storage that throws
 * (quota, private mode, blocked cookies) degrades to memory: the items are still sent.
 */
export function createOutbox(storage: StorageLike | null, key: string): Outbox {
  let entries: OutboxEntry[] = load()

  function load(): OutboxEntry[] {
    try {
      const raw = storage?.getItem(key)
      if (!raw) return []
      const parsed: unknown = JSON.parse(raw)
      return Array.isArray(parsed) ? parsed.filter(isEntry) : []
    } catch {
      return []
    }
  }

  /**
   * Applies a change to what storage holds now, not to this page's copy: another tab of the
   * same visitor shares the key, and its unsent entries must survive our write. Entries of
   * other tabs join this outbox too; sending them again is harmless (ids are idempotent).
   */
  function update(change: (stored: OutboxEntry[]) => OutboxEntry[]) {
    if (!storage) {
      entries = change(entries)
      return
    }
    const stored = load()
    const merged = [...stored, ...entries.filter((e) => !stored.some((s) => s.id === e.id))]
    entries = change(merged)
    try {
      if (entries.length === 0) storage?.removeItem(key)
      else storage?.setItem(key, JSON.stringify(entries))
    } catch {
      // Memory still holds the entries; they are sent for as long as the page lives.
    }
  }

  return {
    entries: () => entries,
    has: (id) => entries.some((e) => e.id === id),
    add(entry) {
      update((current) => [...current.filter((e) => e.id !== entry.id), entry])
    },
    remove(id) {
      const found = entries.find((e) => e.id === id)
      update((current) => current.filter((e) => e.id !== id))
      return found
    },
  }
}

function isEntry(value: unknown): value is OutboxEntry {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return typeof v.id === 'string' && typeof v.stream === 'string' && v.body !== undefined
}
