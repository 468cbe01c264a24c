export interface RateLimiter {
  /** Counts one hit for `key`; returns 0 if allowed, or the seconds until the window resets. */
  hit(key: string): number
}

/**
 * Fixed-window counter per key, in memory: `limit` hits per `windowMs`. Keys of past windows
 * are dropped as the window turns, so memory is bounded by the keys seen in one window,
 * which is itself capped by `maxKeys` (beyond it, new keys are refused: fail closed).
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
  return {
    hit(key) {
      const t = now()
      if (t - windowStart >= options.windowMs) {
        windowStart = t - ((t - windowStart) % options.windowMs)
        counts = new Map()
      }
      const retryS = Math.max(1, Math.ceil((windowStart + options.windowMs - t) / 1000))
      const count = counts.get(key) ?? 0
      if (count >= options.limit) return retryS
      if (count === 0 && counts.size >= maxKeys) return retryS
      counts.set(key, count + 1)
      return 0
    },
  }
}
