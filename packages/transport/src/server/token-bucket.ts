export interface TokenBucket {
  /** Takes one token: returns 0 when granted, or the milliseconds until one is available. */
  take(): number
}

/**
 * A token bucket: `burst` tokens at most, refilled at `perSecond`. A class rather than a
 * closure: one exists per connection, and a plain object is the smallest shape for it.
 */
class Bucket implements TokenBucket {
  private tokens: number
  private last: number

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst
    this.last = now()
  }

  take(): number {
    const t = this.now()
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond)
    this.last = t
    if (this.tokens >= 1) {
      this.tokens -= 1
      return 0
    }
    return Math.ceil(((1 - this.tokens) / this.perSecond) * 1000)
  }
}

export function createTokenBucket(
  perSecond: number,
  burst: number,
  now: () => number,
): TokenBucket {
  return new Bucket(perSecond, burst, now)
}
