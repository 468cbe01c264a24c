import {
  type CartLine,
  type CartSnapshot,
  cartOf,
  mergeLine,
  sameLine,
  toCartLine,
} from './cart-snapshot.js'
import { type CommerceResult, commerceError } from './commerce-error.js'
import { type CommerceEventOf, isCommerceEvent } from './commerce-event.js'
import type { TrackEvent } from './normalize-event.js'

type Added = CommerceEventOf<'Product Added' | 'Wishlist Product Added to Cart'>['properties']
type Replacing = CommerceEventOf<'Cart Viewed' | 'Checkout Started'>['properties']

const ok = (value: CartSnapshot): CommerceResult<CartSnapshot> => ({ ok: true, value })

function add(cart: CartSnapshot, added: Added, now: number): CommerceResult<CartSnapshot> {
  // A cart holds one currency: no conversion, and no silent sum of euros and dollars.
  if (
    cart.items.length > 0 &&
    cart.currency !== undefined &&
    added.currency !== undefined &&
    added.currency !== cart.currency
  ) {
    return {
      ok: false,
      error: commerceError(
        'currency_mismatch',
        ['properties', 'currency'],
        `the cart is in ${cart.currency}, not ${added.currency}; send Cart Viewed with the whole cart to change its currency`,
      ),
    }
  }
  const items = [...cart.items]
  const error = mergeLine(items, toCartLine(added), ['properties'])
  if (error) return { ok: false, error }
  const currency =
    cart.items.length > 0 ? (cart.currency ?? added.currency) : (added.currency ?? cart.currency)
  return ok(cartOf(added.cart_id ?? cart.cart_id, currency, items, now))
}

function remove(
  cart: CartSnapshot,
  removed: CommerceEventOf<'Product Removed'>['properties'],
  now: number,
): CartSnapshot {
  let i = cart.items.findIndex((line) => sameLine(line, removed))
  // An event that names no variant removes from the first line of that product.
  if (i < 0 && removed.variant === undefined) {
    i = cart.items.findIndex((line) => line.product_id === removed.product_id)
  }
  const line = cart.items[i]
  if (!line) return cart
  const left = line.quantity - (removed.quantity ?? 1)
  const items: CartLine[] =
    left > 0
      ? cart.items.map((l, j) => (j === i ? { ...l, quantity: left } : l))
      : cart.items.filter((_, j) => j !== i)
  return cartOf(removed.cart_id ?? cart.cart_id, cart.currency, items, now)
}

function replace(cart: CartSnapshot, full: Replacing, now: number): CommerceResult<CartSnapshot> {
  const cartId = full.cart_id ?? cart.cart_id
  if (full.products === undefined) {
    return cartId === cart.cart_id
      ? ok(cart)
      : ok(cartOf(cartId, cart.currency, [...cart.items], now))
  }
  const items: CartLine[] = []
  for (const [i, product] of full.products.entries()) {
    const error = mergeLine(items, toCartLine(product), ['properties', 'products', i])
    if (error) return { ok: false, error }
  }
  return ok(cartOf(cartId, full.currency ?? cart.currency, items, now))
}

/**
 * The cart after `event` at time `now`: Product Added merges by product and variant, Product
 * Removed subtracts, Cart Viewed and Checkout Started with `products` replace the lines, Order
 * Completed empties the cart; other events give `cart` back unchanged. Pure; never throws.
 */
export function reduceCart(
  cart: CartSnapshot | undefined,
  event: TrackEvent,
  now: number,
): CommerceResult<CartSnapshot> {
  const current = cart ?? cartOf(undefined, undefined, [], now)
  if (!isCommerceEvent(event)) return ok(current)
  switch (event.event) {
    case 'Product Added':
    case 'Wishlist Product Added to Cart':
      return add(current, event.properties, now)
    case 'Product Removed':
      return ok(remove(current, event.properties, now))
    case 'Cart Viewed':
    case 'Checkout Started':
      return replace(current, event.properties, now)
    case 'Order Completed':
      return ok(cartOf(undefined, undefined, [], now))
    default:
      return ok(current)
  }
}
