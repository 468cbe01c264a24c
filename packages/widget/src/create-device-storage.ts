import type { StorageLike } from '@causette/transport'

/** The widget's storage keys for a site; `reset()` and revoked consent remove exactly these. */
export function storageKeys(siteId: string, serverUrl: string) {
  const prefix = `causette:${siteId}:`
  return {
    visitor: `${prefix}visitor`,
    conversation: `${prefix}conversation`,
    outbox: `${prefix}outbox`,
    /** Highest seq the visitor has seen with the panel open (unread count). */
    read: `${prefix}read`,
    /** The visitor scope of the context. */
    context: `${prefix}context`,
    /** The session scope, event counts and last activity. */
    session: `${prefix}session`,
    /** Engagement rules: the rule history (frequency caps), visits, the current visit's start. */
    rules: `${prefix}rules`,
    /** The transport's remembered long-poll outcome for this server (see connect()). */
    via: `causette:via:${serverUrl.replace(/\/$/, '')}/transport`,
  }
}
export type StorageKeys = ReturnType<typeof storageKeys>

/** A storage that lives as long as the page: what the widget uses until consent allows more. */
export function createMemoryStorage(): StorageLike {
  const data = new Map<string, string>()
  return {
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  }
}

export interface DeviceStorage extends StorageLike {
  /**
   * Moves to another backing storage (`null`: memory). The widget's keys are removed from a
   * device storage it leaves, so revoking consent leaves nothing behind.
   */
  use(next: StorageLike | null): void
  /** Removes the widget's keys from the current storage. */
  clear(): void
  /**
   * Removes the widget's keys from the current storage and from the device's own, even while
   * the widget is not allowed to use it (removing is not storing): `reset()` and a denial must
   * not leave an earlier visit's token or context behind, to come back with a later grant.
   */
  forget(): void
}

/**
 * The one storage every part of the widget goes through. It starts in memory and never throws:
 * a blocked or full storage only costs persistence.
 */
export function createDeviceStorage(
  keys: readonly string[],
  /** The device's storage, looked up when needed (it may be blocked). */
  device: () => StorageLike | null,
): DeviceStorage {
  let backing = createMemoryStorage()
  let onDevice = false
  const attempt = <T>(run: () => T): T | null => {
    try {
      return run()
    } catch {
      return null
    }
  }
  const self: DeviceStorage = {
    getItem: (key) => attempt(() => backing.getItem(key)),
    setItem: (key, value) => void attempt(() => backing.setItem(key, value)),
    removeItem: (key) => void attempt(() => backing.removeItem(key)),
    use(next) {
      if (onDevice) self.clear()
      backing = next ?? createMemoryStorage()
      onDevice = next !== null
    },
    clear() {
      for (const key of keys) self.removeItem(key)
    },
    forget() {
      self.clear()
      const own = attempt(device)
      if (own && own !== backing) for (const key of keys) attempt(() => own.removeItem(key))
    },
  }
  return self
}

/** `localStorage`, or null where the browser blocks it (sandboxed frames, some privacy modes). */
export function defaultStorage(): StorageLike | null {
  try {
    const storage = globalThis.localStorage
    const probe = '__causette_probe__'
    storage.setItem(probe, '1')
    storage.removeItem(probe)
    return storage
  } catch {
    return null
  }
}

/** Reads JSON written by the widget; anything unreadable counts as absent. */
export function readJson(storage: StorageLike, key: string): unknown {
  try {
    const raw = storage.getItem(key)
    return raw === null ? undefined : JSON.parse(raw)
  } catch {
    return undefined
  }
}
