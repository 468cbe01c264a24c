import { decode, RuleState, ruleDefaults } from '@causette/events'
import type { StorageLike } from '@causette/transport'
import { readJson } from '../create-device-storage.js'
import type { RuleStateStore } from './create-rule-runner.js'

/** The visitor's visits, as the `visits` and `time_on_site_s` facts read them. */
export interface Visit {
  /** Visits so far, this one included. */
  readonly visits: number
  /** When this visit started, epoch ms. */
  readonly startedAt: number
}

/** The rule history and the visits of a visitor, kept where consent allows. */
export interface RuleStorage extends RuleStateStore {
  /** The current visit; a visit ends after `ruleDefaults.sessionIdleMs` without a trigger. */
  visit(): Visit
  /** Forgets everything (`reset()`), on the device and in memory. */
  forget(): void
}

interface Kept {
  state: RuleState | undefined
  visits: number
  started_at: number
  last_at: number
}

const count = (n: unknown) => (typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : 1)
const time = (n: unknown, fallback: number) =>
  typeof n === 'number' && Number.isFinite(n) ? n : fallback

/**
 * The rules' memory of a visitor: their `RuleState` (frequency caps, the session's proactive
 * count) and their visits. On the device only while `granted()` (the visitor allowed
 * personalization_storage); in memory otherwise, for this page only: then every page view is a
 * first visit. What is read back is checked: a tampered entry counts as none.
 */
export function createRuleStorage(options: {
  readonly storage: StorageLike
  readonly key: string
  readonly granted: () => boolean
  readonly now: () => number
}): RuleStorage {
  const { storage, key, granted, now } = options
  const start = now()
  let kept: Kept = { state: undefined, visits: 1, started_at: start, last_at: start }
  // Read once consent allows it; what this page kept before is dropped for the stored history.
  let read = false

  function current(): Kept {
    if (!granted()) {
      read = false
      return kept
    }
    if (!read) {
      read = true
      const raw = readJson(storage, key) as Partial<Record<keyof Kept, unknown>> | undefined
      if (raw && typeof raw === 'object') {
        const state = decode(RuleState, raw.state)
        kept = {
          state: state.ok ? state.value : kept.state,
          visits: count(raw.visits),
          started_at: time(raw.started_at, kept.started_at),
          last_at: time(raw.last_at, kept.last_at),
        }
      }
    }
    return kept
  }

  function save(next: Kept) {
    kept = next
    if (granted()) storage.setItem(key, JSON.stringify(next))
    else storage.removeItem(key)
  }

  return {
    get: () => current().state,
    set: (state) => save({ ...current(), state }),
    visit() {
      const at = now()
      const before = current()
      const fresh = at - before.last_at > ruleDefaults.sessionIdleMs
      const next = fresh
        ? { ...before, visits: before.visits + 1, started_at: at, last_at: at }
        : { ...before, last_at: Math.max(at, before.last_at) }
      save(next)
      return { visits: next.visits, startedAt: next.started_at }
    },
    forget() {
      const at = now()
      kept = { state: undefined, visits: 1, started_at: at, last_at: at }
      storage.removeItem(key)
    },
  }
}
