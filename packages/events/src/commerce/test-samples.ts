// Shared by the commerce tests: one valid payload per canonical event, and generators.
import fc from 'fast-check'
import type { CommerceEventName } from './commerce-event.js'

const tee = {
  product_id: 'tee-1',
  sku: 'TEE-1-M',
  name: 'Organic tee',
  brand: 'Causette',
  category: 'Apparel/Tops',
  variant: 'M',
  price: 31.1,
  quantity: 2,
  url: 'https://shop.example/products/tee',
  image_url: 'https://cdn.example/tee.jpg',
}

/** The properties of one valid event of each name, as a host would track it. */
export const samples: { readonly [N in CommerceEventName]: Readonly<Record<string, unknown>> } = {
  'Products Searched': { query: 'blue tee' },
  'Product List Viewed': { list_id: 'tops', category: 'Tops', currency: 'EUR', products: [tee] },
  'Product List Filtered': {
    list_id: 'tops',
    filters: [{ type: 'size', value: 'M' }],
    sorts: [{ type: 'price', value: 'desc' }],
    products: [{ product_id: 'tee-1' }],
  },
  'Promotion Viewed': {
    promotion_id: 'summer',
    name: 'Summer sale',
    creative: 'banner',
    position: 'top',
  },
  'Promotion Clicked': { promotion_id: 'summer', name: 'Summer sale' },
  'Product Clicked': { ...tee, currency: 'EUR' },
  'Product Viewed': { ...tee, currency: 'EUR', value: 31.1 },
  'Product Added': { cart_id: 'c1', ...tee, currency: 'EUR' },
  'Product Removed': { cart_id: 'c1', product_id: 'tee-1', variant: 'M', quantity: 1 },
  'Cart Viewed': { cart_id: 'c1', currency: 'EUR', products: [tee] },
  'Checkout Started': {
    order_id: 'o1',
    value: 62.2,
    revenue: 62.2,
    currency: 'EUR',
    products: [tee],
  },
  'Checkout Step Viewed': { checkout_id: 'k1', step: 2, shipping_method: 'Colissimo' },
  'Checkout Step Completed': { checkout_id: 'k1', step: 2, shipping_method: 'Colissimo' },
  'Payment Info Entered': { checkout_id: 'k1', order_id: 'o1', step: 3, payment_method: 'card' },
  'Order Updated': { order_id: 'o1', total: 66.2, currency: 'EUR', products: [tee] },
  'Order Completed': {
    checkout_id: 'k1',
    order_id: 'o1',
    affiliation: 'Web',
    subtotal: 62.2,
    total: 70.15,
    revenue: 62.2,
    shipping: 4.95,
    tax: 3,
    discount: 0,
    coupon: 'WELCOME',
    currency: 'EUR',
    products: [tee],
  },
  'Order Refunded': { order_id: 'o1', total: 31.1, currency: 'EUR', products: [tee] },
  'Order Cancelled': { order_id: 'o1', total: 70.15, currency: 'EUR' },
  'Coupon Entered': { cart_id: 'c1', coupon_id: 'WELCOME' },
  'Coupon Applied': { cart_id: 'c1', coupon_id: 'WELCOME', discount: 5, currency: 'EUR' },
  'Coupon Denied': { cart_id: 'c1', coupon_id: 'OLD', reason: 'expired' },
  'Coupon Removed': { cart_id: 'c1', coupon_id: 'WELCOME', discount: 5, currency: 'EUR' },
  'Product Added to Wishlist': {
    wishlist_id: 'w1',
    wishlist_name: 'Gifts',
    ...tee,
    currency: 'EUR',
  },
  'Product Removed from Wishlist': { wishlist_id: 'w1', product_id: 'tee-1' },
  'Wishlist Product Added to Cart': { wishlist_id: 'w1', cart_id: 'c1', ...tee, currency: 'EUR' },
  'Product Shared': {
    share_via: 'email',
    share_message: 'Look!',
    recipient: 'a@b.example',
    product_id: 'tee-1',
  },
  'Cart Shared': { share_via: 'link', cart_id: 'c1', products: [{ product_id: 'tee-1' }] },
  'Product Reviewed': { product_id: 'tee-1', review_id: 'r1', review_body: 'Soft.', rating: 5 },
}

/** A decimal string with up to 4 decimals, as shops write prices. */
export const decimalString = fc.stringMatching(/^(0|[1-9]\d{0,5})(\.\d{1,4})?$/)

/** A product line as GA4 and the canonical form both can express it. */
export const productLine = fc.record(
  {
    id: fc.constantFrom('p1', 'p2', 'p3', 'p4'),
    variant: fc.option(fc.constantFrom('S', 'M'), { nil: undefined }),
    price: decimalString,
    quantity: fc.integer({ min: 1, max: 5 }),
  },
  { requiredKeys: ['id', 'price', 'quantity'] },
)
export type ProductLine = typeof productLine extends fc.Arbitrary<infer T> ? T : never
