export interface TokenBucket {
  /** Takes one token: returns 0 when granted, or the milliseconds until one is available. */
  take(): number
}

/** A token bucket: `burst` tokens at most, refilled at `perSecond`. Pure apart from the clock. */
export function createTokenBucket(
  perSecond: number,
  burst: number,
  now: () => number,
): TokenBucket {
  let tokens = burst
  let last = now()
  return {
    take() {
      const t = now()
      tokens = Math.min(burst, tokens + ((t - last) / 1000) * perSecond)
      last = t
      if (tokens >= 1) {
        tokens -= 1
        return 0
      }
      return Math.ceil(((1 - tokens) / perSecond) * 1000)
    },
  }
}
