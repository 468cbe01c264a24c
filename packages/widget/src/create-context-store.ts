import {
  type CartSnapshot,
  ContextScope,
  type ContextUpdate,
  type ContextValue,
  type ContextValues,
  contextLimits,
  decodeHost,
  type PageSnapshot,
  SetValues,
} from '@causette/events'
import type { StorageLike } from '@causette/transport'
import { readJson, type StorageKeys } from './create-device-storage.js'

type Values = ContextValues
const contextScopes = ContextScope.options

export const contextDefaults = {
  /** A session ends after 30 minutes without activity, as in Google Analytics. */
  sessionIdleMs: 30 * 60_000,
} as const

export interface ContextStore {
  /** Merges values into a scope (`null` deletes); returns an error message over the key limit. */
  set(scope: ContextScope, values: Values): string | undefined
  /** Records a page view; a new URL clears the page scope. */
  pageView(page: PageSnapshot): void
  page(): PageSnapshot | undefined
  /** Counts events of this session; returns an error message (and counts none) over the distinct-name limit. */
  count(events: readonly string[]): string | undefined
  cart(): CartSnapshot | null
  setCart(cart: CartSnapshot | null): void
  setObserved(values: Values): void
  /** Everything kept so far. */
  view(): ContextUpdate
  /** Everything kept so far, for a conversation's start; pending changes are then sent. */
  snapshot(): ContextUpdate
  /** Changes since the last snapshot or take, coalesced per key; undefined when none. */
  takeChanges(): ContextUpdate | undefined
  /** Puts back changes whose sending failed (newer changes of the same keys win). */
  restoreChanges(update: ContextUpdate): void
  /** The conversation ended: its scope goes with it. */
  endConversation(): void
  /** Reads the stored scopes (after consent allowed storage), merging what this page set. */
  load(): void
  /** Forgets every scope, the page, cart and counts, here and in storage. */
  reset(): void
}

type Scopes = Record<ContextScope, Map<string, ContextValue>>

const emptyScopes = (): Scopes => ({
  visitor: new Map(),
  session: new Map(),
  page: new Map(),
  conversation: new Map(),
})

function storedValues(raw: unknown): Values {
  const decoded = decodeHost(SetValues, raw)
  return decoded.ok ? decoded.value : {}
}

/**
 * The host's context (scopes visitor, session, page, conversation) plus what the widget derives
 * (page view, cart, event counts, observed facts). Kept before a conversation exists, sent
 * whole when one starts, and as coalesced changes while one is open.
 */
export function createContextStore(options: {
  readonly storage: StorageLike
  readonly keys: StorageKeys
  readonly now: () => number
  readonly sessionIdleMs?: number
}): ContextStore {
  const { storage, keys, now } = options
  const idleMs = options.sessionIdleMs ?? contextDefaults.sessionIdleMs
  let scopes = emptyScopes()
  let events = new Map<string, number>()
  let observed: Values = {}
  let page: PageSnapshot | undefined
  let cart: CartSnapshot | null = null
  let lastActive = now()
  // Changes not yet sent: per scope the keys that changed; the rest as flags.
  let dirty = emptyScopes()
  let flags = { page: false, cart: false, events: false, observed: false }

  // Until load() has read what is stored, writing would overwrite it.
  let loaded = false

  function persist() {
    if (!loaded) return
    storage.setItem(keys.context, JSON.stringify(Object.fromEntries(scopes.visitor)))
    storage.setItem(
      keys.session,
      JSON.stringify({
        values: Object.fromEntries(scopes.session),
        events: Object.fromEntries(events),
        at: lastActive,
      }),
    )
  }

  /** A visit after a long pause is a new session: its scope and counts start empty. */
  function touch() {
    const at = now()
    if (at - lastActive > idleMs) {
      for (const key of scopes.session.keys()) dirty.session.set(key, null)
      scopes.session.clear()
      events = new Map()
    }
    lastActive = at
  }

  function assign(scope: ContextScope, key: string, value: ContextValue) {
    if (value === null) scopes[scope].delete(key)
    else scopes[scope].set(key, value)
    dirty[scope].set(key, value)
  }

  function build(parts: Scopes, all: typeof flags): ContextUpdate | undefined {
    const update: Record<string, unknown> = {}
    for (const scope of contextScopes) {
      if (parts[scope].size > 0) update[scope] = Object.fromEntries(parts[scope])
    }
    if (all.observed && Object.keys(observed).length > 0) update.observed = observed
    if (all.page && page) update.page_view = page
    if (all.cart) update.cart = cart
    if (all.events && events.size > 0) update.events = Object.fromEntries(events)
    return Object.keys(update).length > 0 ? (update as ContextUpdate) : undefined
  }

  function clearDirty() {
    dirty = emptyScopes()
    flags = { page: false, cart: false, events: false, observed: false }
  }

  const store: ContextStore = {
    set(scope, values) {
      touch()
      const target = scopes[scope]
      const after = new Set(target.keys())
      for (const [key, value] of Object.entries(values)) {
        if (value === null) after.delete(key)
        else after.add(key)
      }
      if (after.size > contextLimits.keysPerScope) {
        return `set(values): the ${scope} scope would hold ${after.size} keys, more than ${contextLimits.keysPerScope}`
      }
      for (const [key, value] of Object.entries(values)) assign(scope, key, value)
      persist()
      return undefined
    },
    pageView(next) {
      touch()
      if (page?.url !== next.url) {
        for (const key of scopes.page.keys()) dirty.page.set(key, null)
        scopes.page.clear()
      }
      page = next
      flags.page = true
    },
    page: () => page,
    count(names) {
      touch()
      const fresh = new Set(names.filter((name) => !events.has(name)))
      if (events.size + fresh.size > contextLimits.eventNamesMax) {
        return `track(event): more than ${contextLimits.eventNamesMax} distinct event names in this session`
      }
      for (const name of names) events.set(name, (events.get(name) ?? 0) + 1)
      flags.events ||= names.length > 0
      persist()
      return undefined
    },
    cart: () => cart,
    setCart(next) {
      cart = next
      flags.cart = true
    },
    setObserved(values) {
      observed = values
      flags.observed = true
    },
    view: () =>
      build(scopes, { page: true, cart: cart !== null, events: true, observed: true }) ?? {},
    snapshot() {
      const update = store.view()
      clearDirty()
      return update
    },
    takeChanges() {
      const update = build(dirty, flags)
      clearDirty()
      return update
    },
    restoreChanges(update) {
      for (const scope of contextScopes) {
        for (const key of Object.keys(update[scope] ?? {})) {
          if (!dirty[scope].has(key)) dirty[scope].set(key, scopes[scope].get(key) ?? null)
        }
      }
      flags.page ||= update.page_view !== undefined
      flags.cart ||= update.cart !== undefined
      flags.events ||= update.events !== undefined
      flags.observed ||= update.observed !== undefined
    },
    endConversation() {
      scopes.conversation.clear()
      dirty.conversation.clear()
    },
    load() {
      const visitor = storedValues(readJson(storage, keys.context))
      const session = readJson(storage, keys.session) as
        | { values?: unknown; events?: unknown; at?: unknown }
        | undefined
      const fresh = typeof session?.at === 'number' && now() - session.at <= idleMs
      // What this page set before storage was allowed is newer than what is stored.
      const merge = (scope: ContextScope, stored: Values) => {
        const merged = [...new Map([...Object.entries(stored), ...scopes[scope]])]
        scopes[scope] = new Map(merged.slice(-contextLimits.keysPerScope))
      }
      loaded = true
      merge('visitor', visitor)
      if (fresh) {
        merge('session', storedValues(session?.values))
        const counts = session?.events
        if (counts && typeof counts === 'object') {
          for (const [name, n] of Object.entries(counts)) {
            if (
              typeof n === 'number' &&
              Number.isFinite(n) &&
              events.size < contextLimits.eventNamesMax
            ) {
              events.set(name, (events.get(name) ?? 0) + n)
            }
          }
        }
      }
      persist()
    },
    reset() {
      scopes = emptyScopes()
      events = new Map()
      page = undefined
      cart = null
      clearDirty()
      storage.removeItem(keys.context)
      storage.removeItem(keys.session)
    },
  }
  return store
}
