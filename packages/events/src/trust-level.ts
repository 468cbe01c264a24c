import * as z from 'zod/mini'

/** How much a fact can be trusted, weakest first: measured, page-asserted, or shop-signed. */
export const TrustLevel = /* @__PURE__ */ z.enum(['observed', 'host', 'verified'])
export type TrustLevel = z.infer<typeof TrustLevel>

const trustRank: Readonly<Record<TrustLevel, number>> = { observed: 0, host: 1, verified: 2 }

/** Whether a fact of trust `a` may replace one of trust `b`: never a stronger one. */
export function mayReplace(a: TrustLevel, b: TrustLevel): boolean {
  return trustRank[a] >= trustRank[b]
}
