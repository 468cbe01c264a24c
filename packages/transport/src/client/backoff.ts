export interface BackoffOptions {
  /** @default 500 */
  readonly baseMs: number
  /** @default 30000 */
  readonly capMs: number
}

export const backoffDefaults: BackoffOptions = { baseMs: 500, capMs: 30_000 }

/**
 * Full-jitter exponential backoff: a uniform delay in [0, min(cap, base * 2^attempt)).
 * The jitter applies at the cap too, so a crowd of clients that all reached the cap
 * still spreads out instead of retrying in lockstep.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(attempt: number, random: number, options = backoffDefaults): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30))
  return Math.floor(Math.min(Math.max(random, 0), 0.999_999) * ceiling)
}

/** The delay to wait before the next attempt, honouring a server retry hint when there is one. */
export function retryDelay(
  attempt: number,
  random: number,
  hintMs: number | undefined,
  options = backoffDefaults,
): number {
  const jittered = backoffDelay(attempt, random, options)
  if (hintMs === undefined) return jittered
  // Spread clients over [hint, 2 * hint) so a shed crowd does not come back at one instant.
  return Math.max(jittered, Math.floor(hintMs * (1 + Math.min(Math.max(random, 0), 0.999_999))))
}
