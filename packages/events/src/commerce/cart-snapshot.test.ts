import { describe, expect, test } from 'vitest'
import { CartSnapshot, setCart } from './cart-snapshot.js'
import { decodeCommerce } from './commerce-error.js'
import { commerceLimits } from './commerce-limits.js'
import { normalizeEvent } from './normalize-event.js'
import { reduceCart } from './reduce-cart.js'

const { cartLinesMax, quantityMax } = commerceLimits

describe('setCart', () => {
  test('derives value and item count from the lines, merging duplicates; quantity defaults to 1', () => {
    expect(
      setCart(
        {
          cart_id: 'c1',
          currency: 'eur',
          value: 999,
          item_count: 999,
          items: [
            { product_id: 'a', price: '19.99' },
            { product_id: 'b', price: '0.01', quantity: '2' },
            { product_id: 'a', price: '19.99', quantity: 1 },
          ],
        },
        42,
      ),
    ).toEqual({
      ok: true,
      value: {
        cart_id: 'c1',
        currency: 'EUR',
        value: 40,
        item_count: 4,
        items: [
          { product_id: 'a', price: 19.99, quantity: 2 },
          { product_id: 'b', price: 0.01, quantity: 2 },
        ],
        updated_at: 42,
      },
    })
    expect(setCart({ items: [] }, 1)).toEqual({
      ok: true,
      value: { value: 0, item_count: 0, items: [], updated_at: 1 },
    })
  })

  test('a snapshot given back is accepted as it is', () => {
    const added = normalizeEvent({
      event: 'Product Added',
      properties: { cart_id: 'c', product_id: 'a', price: 3, quantity: 2, currency: 'EUR' },
    })
    if (!added.ok) throw new Error(added.error.message)
    const snapshot = reduceCart(undefined, added.value, 5)
    if (!snapshot.ok) throw new Error(snapshot.error.message)
    expect(setCart(snapshot.value, 5)).toEqual(snapshot)
  })

  test('refuses invalid carts with typed errors', () => {
    expect(setCart({ items: [{ product_id: 'a', price: 1 }] }, 1)).toEqual({
      ok: false,
      error: {
        code: 'invalid_argument',
        path: 'currency',
        message: 'currency: required when a line has a price',
      },
    })
    expect(setCart({ items: [{ product_id: 'a', quantity: 0 }] }, 1)).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', path: 'items.0.quantity' },
    })
    expect(setCart({ items: [{ sku: 'a' }] }, 1)).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', path: 'items.0.product_id' },
    })
    expect(setCart({}, 1)).toMatchObject({
      ok: false,
      error: { path: 'items', message: 'items: required' },
    })
    expect(setCart('cart', 1)).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', path: '' },
    })
    const lines = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ product_id: `p${i}`, quantity: 1 }))
    expect(setCart({ items: lines(cartLinesMax) }, 1).ok).toBe(true)
    expect(setCart({ items: lines(cartLinesMax + 1) }, 1)).toEqual({
      ok: false,
      error: {
        code: 'limit_exceeded',
        path: 'items',
        message: `items: at most ${cartLinesMax} items allowed`,
      },
    })
    const twice = [
      { product_id: 'a', quantity: quantityMax },
      { product_id: 'a', quantity: 1 },
    ]
    expect(setCart({ items: twice }, 1)).toMatchObject({
      ok: false,
      error: { code: 'limit_exceeded', path: 'items.1.quantity' },
    })
  })
})

describe('CartSnapshot', () => {
  const snapshot = {
    cart_id: 'c1',
    currency: 'EUR',
    value: 62.2,
    item_count: 2,
    items: [{ product_id: 'tee', price: 31.1, quantity: 2 }],
    updated_at: 1,
  }

  test('validates a snapshot on the wire', () => {
    expect(decodeCommerce(CartSnapshot, snapshot)).toEqual({ ok: true, value: snapshot })
    expect(decodeCommerce(CartSnapshot, { ...snapshot, currency: undefined })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', path: 'currency' },
    })
    expect(decodeCommerce(CartSnapshot, { ...snapshot, value: -1 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', path: 'value' },
    })
    expect(decodeCommerce(CartSnapshot, { ...snapshot, item_count: 1.5 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', path: 'item_count' },
    })
    const items = Array.from({ length: cartLinesMax + 1 }, (_, i) => ({
      product_id: `p${i}`,
      quantity: 1,
    }))
    expect(decodeCommerce(CartSnapshot, { ...snapshot, items })).toMatchObject({
      ok: false,
      error: { code: 'limit_exceeded', path: 'items' },
    })
  })
})
