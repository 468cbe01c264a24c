import type { AgentsOnline } from '../chat/visitor-api.js'

export const availabilityDefaults = {
  /** How long an answer about agents online (or a failure to get one) is kept, in ms. */
  cacheMs: 60_000,
} as const

/** Whether anyone can answer now, as engagement rules read it (`agents.available`). */
export interface Availability {
  /** Agents online, if an answer younger than `cacheMs` has it; undefined: unknown. */
  current(): AgentsOnline | undefined
  /**
   * Asks the server unless an answer (or a failure) younger than `cacheMs` is kept; one request
   * at a time. The promise never rejects: a failure leaves the count unknown. Undefined when
   * there is nothing to wait for (a fresh answer, or `ask` may not ask now).
   */
  refresh(): Promise<void> | undefined
}

/**
 * The count of agents online, fetched on demand and kept for `cacheMs`. `ask` returns
 * undefined when it may not ask (no consent to connect): nothing is kept then, so it asks once
 * allowed.
 */
export function createAvailability(options: {
  readonly ask: () => Promise<AgentsOnline> | undefined
  readonly now: () => number
  readonly cacheMs?: number
}): Availability {
  const cacheMs = options.cacheMs ?? availabilityDefaults.cacheMs
  let known: { readonly at: number; readonly value: AgentsOnline | undefined } | undefined
  let asking: Promise<void> | undefined
  const fresh = () => known !== undefined && options.now() - known.at < cacheMs
  return {
    current: () => (fresh() ? known?.value : undefined),
    refresh() {
      if (fresh()) return undefined
      if (asking) return asking
      const request = options.ask()
      if (!request) return undefined
      const keep = (value: AgentsOnline | undefined) => {
        known = { at: options.now(), value }
        asking = undefined
      }
      asking = request.then(keep, () => keep(undefined))
      return asking
    },
  }
}
