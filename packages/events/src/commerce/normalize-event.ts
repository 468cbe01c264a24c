import * as z from 'zod/mini'
import { type CommerceResult, decodeCommerce } from './commerce-error.js'
import { CommerceEvent, isCommerceEventName } from './commerce-event.js'
import { CustomEvent } from './custom-event.js'

/** An event a host tracks: a canonical commerce event or a custom one. */
export const TrackEvent = /* @__PURE__ */ z.union([CommerceEvent, CustomEvent])
export type TrackEvent = z.infer<typeof TrackEvent>

/**
 * Validates a canonical event (`{ event: 'Product Added', properties: { ... } }`) or a custom one;
 * never throws.
 *
 * @example
 * const result = normalizeEvent({ event: 'Product Added', properties: { product_id: 'p1', price: '31.10', currency: 'eur' } })
 * // { ok: true, value: { event: 'Product Added', properties: { product_id: 'p1', price: 31.1, currency: 'EUR' } } }
 */
export function normalizeEvent(input: unknown): CommerceResult<TrackEvent> {
  const name =
    typeof input === 'object' && input !== null ? (input as { event?: unknown }).event : undefined
  // Dispatch on the name so that errors are those of the one schema that applies.
  return isCommerceEventName(name)
    ? decodeCommerce(CommerceEvent, input)
    : decodeCommerce(CustomEvent, input)
}
