export interface RateLimiter {
  /** Counts one hit for `key`; returns 0 if allowed, or the seconds until the window resets. */
  hit(key: string): number
  /** Like `hit`, without counting: 0 while `key` has hits left. */
  blocked(key: string): number
}

/**
 * Fixed-window counter per key, in memory: `limit` hits per `windowMs`. Keys of past windows
 * are dropped as the window turns, so memory is bounded by the keys seen in one window,
 * and by `maxKeys`: beyond it the oldest key is forgotten (refusing new keys instead would let
 * one client that fills the table lock everyone else out).
 */
export function createRateLimiter(options: {
  readonly limit: number
  readonly windowMs: number
  readonly maxKeys?: number
  readonly now?: () => number
}): RateLimiter {
  const now = options.now ?? Date.now
  const maxKeys = options.maxKeys ?? 100_000
  let windowStart = now()
  let counts = new Map<string, number>()
  function turn() {
    const t = now()
    if (t - windowStart >= options.windowMs) {
      windowStart = t - ((t - windowStart) % options.windowMs)
      counts = new Map()
    }
    return Math.max(1, Math.ceil((windowStart + options.windowMs - t) / 1000))
  }
  return {
    hit(key) {
      const retryS = turn()
      const count = counts.get(key) ?? 0
      if (count >= options.limit) return retryS
      if (count === 0 && counts.size >= maxKeys) {
        const oldest = counts.keys().next().value
        if (oldest !== undefined) counts.delete(oldest)
      }
      counts.set(key, count + 1)
      return 0
    },
    blocked(key) {
      const retryS = turn()
      return (counts.get(key) ?? 0) >= options.limit ? retryS : 0
    },
  }
}
