import {
  type Adapted,
  type AdapterOptions,
  absoluteUrl,
  adapted,
  compact,
  ignored,
  isPayload,
  itemsAt,
  own,
} from './adapted.js'
import type { CommerceEventName } from './commerce-event.js'
import { fromGa4, isGa4EventName } from './from-ga4.js'

// Actions of the legacy Universal Analytics Enhanced Ecommerce data layer
// (https://developers.google.com/analytics/devguides/collection/ua/gtm/enhanced-ecommerce), in
// the order a page makes them happen.
const actions = [
  'impressions',
  'promoView',
  'promoClick',
  'click',
  'detail',
  'add',
  'remove',
  'checkout',
  'checkout_option',
  'purchase',
  'refund',
] as const

// Actions about one or more products: nothing to report without them.
const requiresProducts: readonly string[] = ['click', 'detail', 'add', 'remove']

/** The canonical product of a legacy product (`id`, `name`, `price`, `category`...). */
function product(p: unknown, options: AdapterOptions): Record<string, unknown> {
  return compact({
    product_id: own(p, 'id') ?? own(p, 'name'),
    sku: own(p, 'sku'),
    name: own(p, 'name'),
    brand: own(p, 'brand'),
    category: own(p, 'category'),
    variant: own(p, 'variant'),
    price: own(p, 'price'),
    quantity: own(p, 'quantity'),
    coupon: own(p, 'coupon'),
    position: own(p, 'position'),
    // Shopify data layers add these, often relative ('/products/tee', '//cdn.shopify.com/...').
    url: absoluteUrl(own(p, 'url'), options.baseUrl),
    image_url: absoluteUrl(own(p, 'image_url') ?? own(p, 'image'), options.baseUrl),
  })
}

function fromEnhancedEcommerce(ecommerce: unknown, options: AdapterOptions): Adapted {
  const currency = own(ecommerce, 'currencyCode') ?? options.currency
  const events: unknown[] = []
  const emit = (event: CommerceEventName, properties: Record<string, unknown>) =>
    events.push({ event, properties: compact(properties) })
  for (const action of actions) {
    const data = own(ecommerce, action)
    if (data === undefined) continue
    // Impressions are the list itself; promotions list `promotions`, other actions `products`.
    const key = action.startsWith('promo') ? 'promotions' : 'products'
    const listed =
      action === 'impressions'
        ? itemsAt(data, ['ecommerce', action], false)
        : itemsAt(own(data, key), ['ecommerce', action, key], requiresProducts.includes(action))
    if ('error' in listed) return { ok: false, error: listed.error }
    const products = listed.items.map((p) => product(p, options))
    const actionField = own(data, 'actionField')
    const step = own(actionField, 'step')
    switch (action) {
      case 'impressions': {
        // One Product List Viewed per list the impressions name, in order of appearance.
        const lists = new Map<unknown, Record<string, unknown>[]>()
        for (const [i, p] of listed.items.entries()) {
          const list = own(p, 'list')
          lists.set(list, [...(lists.get(list) ?? []), products[i] as Record<string, unknown>])
        }
        for (const [list, inList] of lists)
          emit('Product List Viewed', { list_name: list, currency, products: inList })
        break
      }
      case 'promoView':
      case 'promoClick':
        for (const promo of listed.items) {
          emit(action === 'promoView' ? 'Promotion Viewed' : 'Promotion Clicked', {
            promotion_id: own(promo, 'id'),
            name: own(promo, 'name'),
            creative: own(promo, 'creative'),
            position: own(promo, 'position'),
          })
        }
        break
      case 'click':
      case 'detail':
        emit(action === 'click' ? 'Product Clicked' : 'Product Viewed', {
          ...products[0],
          currency,
        })
        break
      case 'add':
      case 'remove':
        for (const p of products)
          emit(action === 'add' ? 'Product Added' : 'Product Removed', { ...p, currency })
        break
      case 'checkout':
        // Step 1 (or no step) starts the checkout with the whole cart; later steps are views.
        emit(
          step === undefined || step === 1 || step === '1'
            ? 'Checkout Started'
            : 'Checkout Step Viewed',
          {
            step,
            currency,
            products: own(data, 'products') === undefined ? undefined : products,
          },
        )
        break
      case 'checkout_option':
        emit('Checkout Step Completed', { step })
        break
      case 'purchase':
      case 'refund':
        emit(action === 'purchase' ? 'Order Completed' : 'Order Refunded', {
          order_id: own(actionField, 'id'),
          affiliation: own(actionField, 'affiliation'),
          revenue: own(actionField, 'revenue'),
          tax: own(actionField, 'tax'),
          shipping: own(actionField, 'shipping'),
          coupon: own(actionField, 'coupon'),
          currency,
          products: own(data, 'products') === undefined ? undefined : products,
        })
        break
    }
  }
  return events.length > 0 ? adapted(events) : ignored('no ecommerce action in the push')
}

/**
 * The canonical events of one `dataLayer.push(...)`: GA4 shape (`{ event: 'add_to_cart', ecommerce:
 * { currency, value, items } }`), a `gtag('event', ...)` call, or the legacy Enhanced Ecommerce shape
 * (`{ event: 'addToCart', ecommerce: { currencyCode, add: { products } } }`). Pushes that are no
 * commerce event (`gtm.js`, consent, `{ ecommerce: null }`) are ignored. Never throws.
 */
export function fromDataLayer(push: unknown, options: AdapterOptions = {}): Adapted {
  // gtag() pushes its `arguments` object: ['event', name, params], ['consent', ...], ['config', ...].
  if (Array.isArray(push) || Object.prototype.toString.call(push) === '[object Arguments]') {
    const args = push as ArrayLike<unknown>
    return args[0] === 'event' && typeof args[1] === 'string'
      ? fromGa4(args[1], args[2], options)
      : ignored(`gtag '${typeof args[0] === 'string' ? args[0] : typeof args[0]}' command`)
  }
  if (!isPayload(push)) return ignored('not an object')
  const name = own(push, 'event')
  const ecommerce = own(push, 'ecommerce')
  // The legacy shape first: some sites named their legacy purchase push 'purchase'.
  if (actions.some((action) => own(ecommerce, action) !== undefined)) {
    return fromEnhancedEcommerce(ecommerce, options)
  }
  if (typeof name === 'string' && isGa4EventName(name)) {
    // GA4 puts parameters under `ecommerce`; a search has none and keeps `search_term` at the top.
    return fromGa4(name, isPayload(ecommerce) ? ecommerce : push, options)
  }
  return ignored(
    typeof name === 'string' ? `'${name}' is no ecommerce event` : 'no ecommerce event',
  )
}
