import {
  type Adapted,
  type AdapterOptions,
  adapted,
  compact,
  ignored,
  itemsAt,
  own,
} from './adapted.js'
import type { CommerceEventName } from './commerce-event.js'

type Shape = 'product' | 'each' | 'list' | 'order' | 'promotion' | 'search'

// GA4 recommended ecommerce events (https://developers.google.com/analytics/devguides/collection/ga4/reference/events)
// and the canonical event each stands for, with how its parameters map.
const ga4Events: Readonly<Record<string, readonly [CommerceEventName, Shape]>> = {
  search: ['Products Searched', 'search'],
  view_item_list: ['Product List Viewed', 'list'],
  select_item: ['Product Clicked', 'product'],
  view_item: ['Product Viewed', 'product'],
  add_to_cart: ['Product Added', 'each'],
  remove_from_cart: ['Product Removed', 'each'],
  add_to_wishlist: ['Product Added to Wishlist', 'each'],
  view_cart: ['Cart Viewed', 'order'],
  begin_checkout: ['Checkout Started', 'order'],
  add_shipping_info: ['Checkout Step Completed', 'order'],
  add_payment_info: ['Payment Info Entered', 'order'],
  purchase: ['Order Completed', 'order'],
  refund: ['Order Refunded', 'order'],
  view_promotion: ['Promotion Viewed', 'promotion'],
  select_promotion: ['Promotion Clicked', 'promotion'],
}

/** The GA4 ecommerce events that `fromGa4` maps. */
export const ga4EventNames: readonly string[] = /* @__PURE__ */ Object.keys(ga4Events)

/** Whether `name` is a GA4 ecommerce event that `fromGa4` maps. */
export function isGa4EventName(name: string): boolean {
  return Object.hasOwn(ga4Events, name)
}

const categoryKeys = [
  'item_category',
  'item_category2',
  'item_category3',
  'item_category4',
  'item_category5',
]

/** The canonical product of a GA4 item (`item_id`, `item_name`, `price`, `item_category`...). */
function product(item: unknown): Record<string, unknown> {
  const categories = categoryKeys.map((key) => own(item, key)).filter((c) => c !== undefined)
  // A category that is no text is passed on as it is, for validation to name it.
  const odd = categories.find((c) => typeof c !== 'string' && typeof c !== 'number')
  return compact({
    // GA4 accepts an item with only a name; the name then stands for the id.
    product_id: own(item, 'item_id') ?? own(item, 'item_name'),
    // Not a GA4 parameter, but WooCommerce and Shopify data layers send it.
    sku: own(item, 'sku'),
    name: own(item, 'item_name'),
    brand: own(item, 'item_brand'),
    // The GA4 hierarchy as one path, the legacy Enhanced Ecommerce way: 'Apparel/Men/Shirts'.
    category: odd ?? (categories.join('/') || undefined),
    variant: own(item, 'item_variant'),
    price: own(item, 'price'),
    quantity: own(item, 'quantity'),
    coupon: own(item, 'coupon'),
    discount: own(item, 'discount'),
    position: own(item, 'index'),
  })
}

/**
 * The canonical events of a GA4 recommended ecommerce event, given as `gtag('event', name, params)`
 * takes it: `fromGa4('add_to_cart', { currency: 'EUR', items: [{ item_id: 'p1', price: '31.10' }] })`.
 * Events outside the ecommerce set are ignored. Never throws.
 */
export function fromGa4(name: string, params: unknown, options: AdapterOptions = {}): Adapted {
  if (!isGa4EventName(name)) return ignored(`'${name}' is not a GA4 ecommerce event`)
  const [event, shape] = ga4Events[name] as readonly [CommerceEventName, Shape]
  const listed = itemsAt(own(params, 'items'), ['items'], shape === 'product' || shape === 'each')
  if ('error' in listed) return { ok: false, error: listed.error }
  const { items } = listed
  const currency = own(params, 'currency') ?? options.currency
  const at = (key: string) => own(params, key)
  switch (shape) {
    case 'search':
      return adapted([{ event, properties: compact({ query: at('search_term') }) }])
    case 'product':
      return adapted([
        { event, properties: compact({ ...product(items[0]), currency, value: at('value') }) },
      ])
    case 'each':
      // One canonical event per item: Segment's Product Added is about one product.
      return adapted(
        items.map((item) => ({ event, properties: compact({ ...product(item), currency }) })),
      )
    case 'list':
      return adapted([
        {
          event,
          properties: compact({
            list_id: at('item_list_id'),
            list_name: at('item_list_name'),
            currency,
            products: items.map(product),
          }),
        },
      ])
    case 'promotion': {
      // Promotion parameters sit on the event or, failing that, on its first item.
      const promo = (key: string) => at(key) ?? own(items[0], key)
      return adapted([
        {
          event,
          properties: compact({
            promotion_id: promo('promotion_id'),
            name: promo('promotion_name'),
            creative: promo('creative_name'),
            position: promo('creative_slot'),
          }),
        },
      ])
    }
    case 'order':
      return adapted([
        {
          event,
          properties: compact({
            order_id: at('transaction_id'),
            affiliation: at('affiliation'),
            value: at('value'),
            tax: at('tax'),
            shipping: at('shipping'),
            coupon: at('coupon'),
            currency,
            shipping_method: at('shipping_tier'),
            payment_method: at('payment_type'),
            products: own(params, 'items') === undefined ? undefined : items.map(product),
          }),
        },
      ])
  }
}
