import * as z from 'zod/mini'

/** How much a fact can be trusted, weakest first: measured, page-asserted, or shop-signed. */
export const TrustLevel = /* @__PURE__ */ z.enum(['observed', 'host', 'verified'])
export type TrustLevel = z.infer<typeof TrustLevel>

const trustRank: Readonly<Record<TrustLevel, number>> = { observed: 0, host: 1, verified: 2 }

/**
 * Whether trust `seen` is at least `required`. The one comparison of trust levels: a rule's
 * requirement (`trust: 'verified'`) and a context merge (a value may replace another only at the
 * same trust or stronger) both use it.
 */
export function trustAtLeast(seen: TrustLevel, required: TrustLevel): boolean {
  return trustRank[seen] >= trustRank[required]
}
