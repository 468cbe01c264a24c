import {
  type CommerceResult,
  fromDataLayer,
  fromGa4,
  isGa4EventName,
  normalizeEvent,
  type TrackEvent,
} from '@causette/events'

/**
 * Turns `track(name, properties)` into canonical events (docs/events.md), or a typed error.
 * `baseUrl` resolves relative product URLs in GA4 items.
 */
export type NormalizeTrack = (
  name: unknown,
  properties: unknown,
  options: { readonly baseUrl: string },
) => CommerceResult<readonly TrackEvent[]>

/**
 * The default: GA4 recommended ecommerce events (`add_to_cart`, `purchase`...) through the GA4
 * adapter (one canonical event per item where Segment has one per product), anything else as a
 * Segment e-commerce v2 event (`Product Added`) or a custom event, validated by its schema.
 */
export const normalizeTrack: NormalizeTrack = (name, properties, { baseUrl }) => {
  // `track(push)`: what the shop pushes to `dataLayer`, as it is (GA4 or Enhanced Ecommerce).
  if (typeof name === 'object' && name !== null && properties === undefined) {
    const adapted = fromDataLayer(name, { baseUrl })
    if (adapted.ok === 'ignored') return { ok: true, value: [] }
    return adapted
  }
  if (typeof name === 'string' && isGa4EventName(name)) {
    const adapted = fromGa4(name, properties ?? {}, { baseUrl })
    if (adapted.ok === 'ignored') return { ok: true, value: [] }
    return adapted
  }
  const event = normalizeEvent(
    properties === undefined ? { event: name } : { event: name, properties },
  )
  return event.ok ? { ok: true, value: [event.value] } : event
}
