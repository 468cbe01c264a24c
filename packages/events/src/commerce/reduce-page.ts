import { type CommerceEventName, isCommerceEvent } from './commerce-event.js'
import { pick } from './fields.js'
import type { TrackEvent } from './normalize-event.js'
import { PageProduct, type PageSnapshot, type PageType } from './page-snapshot.js'

// The page type an event suggests. Only a hint: it never overrides a type the host has set, since a
// quick view can show a product on a category page.
const hints: Partial<Record<CommerceEventName, PageType>> = {
  'Products Searched': 'search',
  'Product Viewed': 'product',
  'Cart Viewed': 'cart',
  'Checkout Started': 'checkout',
  'Checkout Step Viewed': 'checkout',
  'Checkout Step Completed': 'checkout',
  'Payment Info Entered': 'checkout',
  'Order Completed': 'confirmation',
}

/**
 * The page after `event`: Product Viewed sets `product`, and browsing, cart, checkout and order
 * events hint at `type` when the host has not set it. Gives `page` back when nothing changes.
 */
export function reducePage(page: PageSnapshot, event: TrackEvent): PageSnapshot {
  if (!isCommerceEvent(event)) return page
  const type = page.type === undefined ? hints[event.event] : undefined
  const product =
    event.event === 'Product Viewed'
      ? (pick(event.properties, PageProduct.shape) as PageProduct)
      : undefined
  if (type === undefined && product === undefined) return page
  return { ...page, ...(type && { type }), ...(product && { product }) }
}
