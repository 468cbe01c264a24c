import * as z from 'zod/mini'
import { Amount, Currency } from '../money.js'
import { commerceLimits } from './commerce-limits.js'
import { currencyRule, Id, LongText, Products, productShape, Step, Text } from './fields.js'

const opt = z.optional

/** One canonical commerce event: Segment's name and its snake_case properties. */
function commerce<const N extends string, S extends z.core.$ZodLooseShape>(name: N, shape: S) {
  const properties = z.object(shape).check(currencyRule)
  return z.object({
    event: z.literal(name),
    // A track call without properties means `{}`; parsing `{}` still reports required fields.
    properties: z.prefault(properties, {} as z.input<typeof properties>),
  })
}

// Property sets of https://segment.com/docs/connections/spec/ecommerce/v2/, widened where GA4 or
// the legacy Enhanced Ecommerce carry more (list_name, value, products on checkout steps...).
const product = { ...productShape, currency: opt(Currency), value: opt(Amount) }
const cartProduct = { ...product, cart_id: opt(Id) }
const list = {
  list_id: opt(Id),
  list_name: opt(Text),
  category: opt(Text),
  currency: opt(Currency),
  products: opt(Products),
}
const filters = /* @__PURE__ */ opt(
  z.array(z.object({ type: Text, value: Text })).check(z.maxLength(commerceLimits.filtersMax)),
)
const promotion = {
  promotion_id: opt(Id),
  name: opt(Text),
  creative: opt(Text),
  position: opt(Text),
}
const checkout = {
  checkout_id: opt(Id),
  order_id: opt(Id),
  cart_id: opt(Id),
  affiliation: opt(Text),
  value: opt(Amount),
  revenue: opt(Amount),
  total: opt(Amount),
  subtotal: opt(Amount),
  shipping: opt(Amount),
  tax: opt(Amount),
  discount: opt(Amount),
  coupon: opt(Text),
  currency: opt(Currency),
  products: opt(Products),
  step: opt(Step),
  shipping_method: opt(Text),
  payment_method: opt(Text),
}
const order = { ...checkout, order_id: Id }
const coupon = {
  order_id: opt(Id),
  cart_id: opt(Id),
  coupon_id: opt(Id),
  coupon_name: opt(Text),
  discount: opt(Amount),
  currency: opt(Currency),
  reason: opt(Text),
}
const wishlist = { ...product, wishlist_id: opt(Id), wishlist_name: opt(Text) }
const share = { share_via: opt(Text), share_message: opt(LongText), recipient: opt(Text) }
const rating = /* @__PURE__ */ z
  .number()
  .check(z.refine((n) => n >= 0 && n <= 5, 'expected a rating from 0 to 5'))

/** Every canonical commerce event, discriminated by its Segment name. */
export const CommerceEvent = /* @__PURE__ */ z.discriminatedUnion('event', [
  // Browsing
  commerce('Products Searched', { query: Text }),
  commerce('Product List Viewed', list),
  commerce('Product List Filtered', { ...list, filters, sorts: filters }),
  // Promotions
  commerce('Promotion Viewed', promotion),
  commerce('Promotion Clicked', promotion),
  // Core ordering
  commerce('Product Clicked', product),
  commerce('Product Viewed', product),
  commerce('Product Added', cartProduct),
  commerce('Product Removed', cartProduct),
  commerce('Cart Viewed', {
    cart_id: opt(Id),
    value: opt(Amount),
    currency: opt(Currency),
    products: opt(Products),
  }),
  commerce('Checkout Started', checkout),
  commerce('Checkout Step Viewed', checkout),
  commerce('Checkout Step Completed', checkout),
  commerce('Payment Info Entered', checkout),
  commerce('Order Updated', order),
  commerce('Order Completed', order),
  commerce('Order Refunded', order),
  commerce('Order Cancelled', order),
  // Coupons
  commerce('Coupon Entered', coupon),
  commerce('Coupon Applied', coupon),
  commerce('Coupon Denied', coupon),
  commerce('Coupon Removed', coupon),
  // Wishlisting
  commerce('Product Added to Wishlist', wishlist),
  commerce('Product Removed from Wishlist', wishlist),
  commerce('Wishlist Product Added to Cart', { ...wishlist, cart_id: opt(Id) }),
  // Sharing and reviewing
  commerce('Product Shared', { ...product, ...share }),
  commerce('Cart Shared', {
    ...share,
    cart_id: opt(Id),
    currency: opt(Currency),
    products: opt(Products),
  }),
  commerce('Product Reviewed', {
    product_id: Id,
    review_id: opt(Id),
    review_body: opt(LongText),
    rating: opt(rating),
  }),
])
export type CommerceEvent = z.infer<typeof CommerceEvent>

/** The name of a canonical commerce event, such as `'Product Added'`. */
export type CommerceEventName = CommerceEvent['event']

/** The canonical event of one name, such as `CommerceEventOf<'Order Completed'>`. */
export type CommerceEventOf<N extends CommerceEventName> = Extract<CommerceEvent, { event: N }>

/** Every canonical commerce event name, in the order of the Segment specification. */
export const commerceEventNames: readonly CommerceEventName[] =
  /* @__PURE__ */ CommerceEvent.def.options.map(
    (option) => option.def.shape.event.def.values[0] as CommerceEventName,
  )

/** Whether `name` is the exact name of a canonical commerce event. */
export function isCommerceEventName(name: unknown): name is CommerceEventName {
  return (commerceEventNames as readonly unknown[]).includes(name)
}

/** Whether an event is a canonical commerce event rather than a custom one. */
export function isCommerceEvent(event: { readonly event: string }): event is CommerceEvent {
  return isCommerceEventName(event.event)
}
