import type { TrustLevel } from '@causette/events'
import { trustLabel } from './labels.js'

/** Where a fact comes from, in words (the colour only repeats them). */
export function TrustBadge({ trust }: { trust: TrustLevel }) {
  return <span class={`trust trust--${trust}`}>{trustLabel(trust)}</span>
}
