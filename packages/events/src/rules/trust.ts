import type { TrustLevel } from '../trust-level.js'

const rank: Readonly<Record<TrustLevel, number>> = { observed: 0, host: 1, verified: 2 }

/** Whether a fact seen at trust `seen` satisfies a requirement of at least `required`. */
export function trustAtLeast(seen: TrustLevel, required: TrustLevel): boolean {
  return rank[seen] >= rank[required]
}
