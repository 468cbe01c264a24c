import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { CartSnapshot as CartSchema, type CartSnapshot } from './cart-snapshot.js'
import type { CommerceResult } from './commerce-error.js'
import type { CommerceEvent } from './commerce-event.js'
import { commerceLimits } from './commerce-limits.js'
import { fromDataLayer } from './from-data-layer.js'
import { fromGa4 } from './from-ga4.js'
import { normalizeEvent, type TrackEvent } from './normalize-event.js'
import { reduceCart } from './reduce-cart.js'
import { decimalString, type ProductLine, productLine } from './test-samples.js'

const { cartLinesMax, quantityMax } = commerceLimits

/** The canonical event of `input`, which the test expects to be valid. */
function event(input: unknown): TrackEvent {
  const result = normalizeEvent(input)
  if (!result.ok) throw new Error(result.error.message)
  return result.value
}

function cart(result: CommerceResult<CartSnapshot>): CartSnapshot {
  if (!result.ok) throw new Error(result.error.message)
  return result.value
}

const added = (properties: Record<string, unknown>) =>
  event({ event: 'Product Added', properties: { currency: 'EUR', ...properties } })
const removed = (properties: Record<string, unknown>) =>
  event({ event: 'Product Removed', properties })

/** Applies events in order from no cart, failing on an error. */
function run(events: readonly TrackEvent[], now = 1_000): CartSnapshot {
  let current: CartSnapshot | undefined
  for (const e of events) current = cart(reduceCart(current, e, now))
  return current ?? cart(reduceCart(undefined, event({ event: 'noop' }), now))
}

describe('reduceCart', () => {
  test('Product Added creates a line; a missing quantity is 1', () => {
    expect(
      reduceCart(
        undefined,
        added({ cart_id: 'c1', product_id: 'tee', name: 'Tee', price: '31.10' }),
        5,
      ),
    ).toEqual({
      ok: true,
      value: {
        cart_id: 'c1',
        currency: 'EUR',
        value: 31.1,
        item_count: 1,
        items: [{ product_id: 'tee', name: 'Tee', price: 31.1, quantity: 1 }],
        updated_at: 5,
      },
    })
  })

  test('Product Added merges by product and variant, adding quantities', () => {
    const c = run([
      added({ product_id: 'tee', variant: 'M', price: 10, quantity: 2 }),
      added({ product_id: 'tee', variant: 'L', price: 12 }),
      added({ product_id: 'tee', variant: 'M', price: 10, quantity: 3, name: 'Tee' }),
    ])
    expect(c.items).toEqual([
      { product_id: 'tee', variant: 'M', price: 10, quantity: 5, name: 'Tee' },
      { product_id: 'tee', variant: 'L', price: 12, quantity: 1 },
    ])
    expect(c.item_count).toBe(6)
    expect(c.value).toBe(62)
  })

  test('value is exact: three lines at 0.10 make 0.30', () => {
    const c = run([
      added({ product_id: 'a', price: '0.10' }),
      added({ product_id: 'b', price: '0.10' }),
      added({ product_id: 'c', price: '0.10' }),
    ])
    expect(c.value).toBe(0.3)
  })

  test('Product Removed subtracts, and removes the line at 0', () => {
    const base = [added({ product_id: 'tee', variant: 'M', price: 10, quantity: 3 })]
    expect(run([...base, removed({ product_id: 'tee', variant: 'M', quantity: 2 })]).items).toEqual(
      [{ product_id: 'tee', variant: 'M', price: 10, quantity: 1 }],
    )
    const emptied = run([...base, removed({ product_id: 'tee', variant: 'M', quantity: 5 })])
    expect(emptied).toMatchObject({ items: [], value: 0, item_count: 0, currency: 'EUR' })
    // No variant named: the first line of that product.
    expect(run([...base, removed({ product_id: 'tee' })]).items[0]?.quantity).toBe(2)
  })

  test('Product Removed of an unknown line gives the cart back unchanged', () => {
    const c = run([added({ product_id: 'tee', price: 10 })])
    expect(reduceCart(c, removed({ product_id: 'other' }), 9)).toEqual({ ok: true, value: c })
    expect(reduceCart(c, removed({ product_id: 'tee', variant: 'XL' }), 9)).toEqual({
      ok: true,
      value: c,
    })
  })

  test('Cart Viewed and Checkout Started with products replace the lines', () => {
    const before = run([added({ product_id: 'old', price: 1 })])
    const viewed = event({
      event: 'Cart Viewed',
      properties: {
        cart_id: 'c2',
        currency: 'usd',
        products: [
          { product_id: 'a', price: '5.50', quantity: 2 },
          { product_id: 'a', price: '5.50' },
        ],
      },
    })
    expect(reduceCart(before, viewed, 7)).toEqual({
      ok: true,
      value: {
        cart_id: 'c2',
        currency: 'USD',
        value: 16.5,
        item_count: 3,
        items: [{ product_id: 'a', price: 5.5, quantity: 3 }],
        updated_at: 7,
      },
    })
    const started = event({
      event: 'Checkout Started',
      properties: { currency: 'EUR', products: [{ product_id: 'b', price: 2 }] },
    })
    expect(cart(reduceCart(before, started, 7)).items).toEqual([
      { product_id: 'b', price: 2, quantity: 1 },
    ])
  })

  test('Cart Viewed without products keeps the lines and takes the cart id', () => {
    const before = run([added({ product_id: 'a', price: 1 })])
    expect(
      cart(reduceCart(before, event({ event: 'Cart Viewed', properties: { cart_id: 'c9' } }), 8)),
    ).toEqual({ ...before, cart_id: 'c9', updated_at: 8 })
    expect(reduceCart(before, event({ event: 'Cart Viewed' }), 8)).toEqual({
      ok: true,
      value: before,
    })
  })

  test('Order Completed empties the cart', () => {
    const before = run([added({ cart_id: 'c1', product_id: 'a', price: 1 })])
    const done = event({ event: 'Order Completed', properties: { order_id: 'o1' } })
    expect(reduceCart(before, done, 9)).toEqual({
      ok: true,
      value: { value: 0, item_count: 0, items: [], updated_at: 9 },
    })
  })

  test('other events, and custom ones, give the same cart back', () => {
    const before = run([added({ product_id: 'a', price: 1 })])
    for (const e of [
      event({ event: 'Product Viewed', properties: { product_id: 'b' } }),
      event({ event: 'Order Refunded', properties: { order_id: 'o' } }),
      event({ event: 'Signed Up', properties: { plan: 'pro' } }),
    ]) {
      expect(reduceCart(before, e, 99)).toEqual({ ok: true, value: before })
    }
    expect(reduceCart(undefined, event({ event: 'Signed Up' }), 3)).toEqual({
      ok: true,
      value: { value: 0, item_count: 0, items: [], updated_at: 3 },
    })
  })

  test('a product in another currency than a non-empty cart is refused with currency_mismatch', () => {
    const eur = run([added({ product_id: 'a', price: 1 })])
    expect(reduceCart(eur, added({ product_id: 'b', price: 1, currency: 'usd' }), 2)).toEqual({
      ok: false,
      error: {
        code: 'currency_mismatch',
        path: 'properties.currency',
        message:
          'properties.currency: the cart is in EUR, not USD; send Cart Viewed with the whole cart to change its currency',
      },
    })
    // An empty cart takes the currency of what comes in.
    const emptied = cart(reduceCart(eur, removed({ product_id: 'a' }), 3))
    expect(
      cart(reduceCart(emptied, added({ product_id: 'b', price: 1, currency: 'USD' }), 4)),
    ).toMatchObject({ currency: 'USD', value: 1 })
    // Lines without a price take the currency of the first priced line.
    const unpriced = run([event({ event: 'Product Added', properties: { product_id: 'a' } })])
    expect(unpriced.currency).toBeUndefined()
    expect(
      cart(reduceCart(unpriced, added({ product_id: 'b', price: 2, currency: 'GBP' }), 4)),
    ).toMatchObject({ currency: 'GBP', value: 2, item_count: 2 })
  })

  test(`a cart holds at most ${cartLinesMax} lines and ${quantityMax} units per line`, () => {
    const full = run(
      Array.from({ length: cartLinesMax }, (_, i) => added({ product_id: `p${i}`, price: 1 })),
    )
    expect(full.items).toHaveLength(cartLinesMax)
    expect(reduceCart(full, added({ product_id: 'one-more', price: 1 }), 2)).toEqual({
      ok: false,
      error: {
        code: 'limit_exceeded',
        path: 'properties',
        message: `properties: at most ${cartLinesMax} cart lines allowed`,
      },
    })
    // Adding to a line that exists is no new line.
    expect(cart(reduceCart(full, added({ product_id: 'p0', price: 1 }), 2)).item_count).toBe(
      cartLinesMax + 1,
    )
    const big = run([added({ product_id: 'a', price: 1, quantity: quantityMax })])
    expect(reduceCart(big, added({ product_id: 'a', price: 1 }), 2)).toEqual({
      ok: false,
      error: {
        code: 'limit_exceeded',
        path: 'properties.quantity',
        message: `properties.quantity: at most ${quantityMax} units of one product allowed`,
      },
    })
    const merged = Array.from({ length: 2 }, () => ({ product_id: 'a', quantity: quantityMax }))
    expect(
      reduceCart(undefined, event({ event: 'Cart Viewed', properties: { products: merged } }), 2),
    ).toMatchObject({
      ok: false,
      error: { code: 'limit_exceeded', path: 'properties.products.1.quantity' },
    })
  })
})

// Independent oracle: the exact sum of price × quantity over decimal strings, in 1/10000 units.
function exactValue(lines: readonly { price: string; quantity: number }[]): number {
  const units = (s: string) => {
    const [whole, fraction = ''] = s.split('.')
    return BigInt(`${whole}${fraction.padEnd(4, '0')}`)
  }
  const total = lines.reduce((sum, l) => sum + units(l.price) * BigInt(l.quantity), 0n)
  const s = total.toString().padStart(5, '0')
  return Number(`${s.slice(0, -4)}.${s.slice(-4)}`)
}

// One price per product and variant, so that a line re-added carries what it carried before.
const catalog = fc.dictionary(fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5'), decimalString, {
  minKeys: 5,
})
type Op = { kind: 'add' | 'remove'; id: string; variant?: 'S' | 'M'; quantity: number }
const op: fc.Arbitrary<Op> = fc.record(
  {
    kind: fc.constantFrom('add', 'remove'),
    id: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5'),
    variant: fc.constantFrom('S', 'M'),
    quantity: fc.integer({ min: 1, max: 4 }),
  },
  { requiredKeys: ['kind', 'id', 'quantity'] },
)

function canonical(o: Op, prices: Record<string, string>): TrackEvent {
  const properties = {
    product_id: o.id,
    ...(o.variant && { variant: o.variant }),
    price: prices[o.id],
    quantity: o.quantity,
    currency: 'EUR',
  }
  return event({ event: o.kind === 'add' ? 'Product Added' : 'Product Removed', properties })
}

describe('reduceCart properties', () => {
  test('value is the exact sum of price × quantity and item_count the sum of quantities', () => {
    fc.assert(
      fc.property(catalog, fc.array(op, { maxLength: 30 }), (prices, ops) => {
        let current: CartSnapshot | undefined
        for (const o of ops) {
          current = cart(reduceCart(current, canonical(o, prices), 1))
          expect(CartSchema.safeParse(current).success).toBe(true)
          const lines = current.items.map((l) => ({
            price: prices[l.product_id] ?? '',
            quantity: l.quantity,
          }))
          expect(current.value).toBe(exactValue(lines))
          expect(current.item_count).toBe(current.items.reduce((n, l) => n + l.quantity, 0))
        }
      }),
      { numRuns: 200 },
    )
  })

  test('adding a product then removing it gives the same cart', () => {
    fc.assert(
      fc.property(catalog, fc.array(op, { maxLength: 20 }), op, (prices, ops, extra) => {
        const before = cart(
          ops.reduce<CommerceResult<CartSnapshot>>(
            (r, o) => (r.ok ? reduceCart(r.value, canonical(o, prices), 1) : r),
            reduceCart(undefined, event({ event: 'noop' }), 1),
          ),
        )
        const afterAdd = cart(reduceCart(before, canonical({ ...extra, kind: 'add' }, prices), 2))
        const after = cart(reduceCart(afterAdd, canonical({ ...extra, kind: 'remove' }, prices), 3))
        // An empty cart takes the currency of the product added; the rest is as it was.
        const currency = before.currency ?? after.currency
        expect({ ...after, updated_at: 1 }).toEqual({
          ...before,
          ...(currency && { currency }),
          updated_at: 1,
        })
      }),
      { numRuns: 300 },
    )
  })
})

describe('adapters and the canonical path make the same cart', () => {
  type Step = { kind: 'add' | 'remove' | 'view'; currency: string; lines: ProductLine[] }
  const step: fc.Arbitrary<Step> = fc.record({
    kind: fc.constantFrom('add', 'remove', 'view'),
    currency: fc.constantFrom('eur', 'EUR', 'usd'),
    lines: fc.array(productLine, { minLength: 1, maxLength: 4 }),
  })

  const ga4Item = (l: ProductLine, asString: boolean) => ({
    item_id: l.id,
    ...(l.variant && { item_variant: l.variant }),
    price: asString ? l.price : Number(l.price),
    ...(l.quantity === 1 && asString
      ? {}
      : { quantity: asString ? String(l.quantity) : l.quantity }),
  })
  const uaProduct = (l: ProductLine) => ({
    id: l.id,
    ...(l.variant && { variant: l.variant }),
    price: l.price,
    quantity: l.quantity,
  })

  const paths: Record<string, (s: Step) => unknown[]> = {
    canonical: (s) => {
      const products = s.lines.map((l) => ({
        product_id: l.id,
        ...(l.variant && { variant: l.variant }),
        price: Number(l.price),
        quantity: l.quantity,
      }))
      if (s.kind === 'view')
        return [
          { event: 'Cart Viewed', properties: { currency: s.currency.toUpperCase(), products } },
        ]
      const name = s.kind === 'add' ? 'Product Added' : 'Product Removed'
      return products.map((p) => ({
        event: name,
        properties: { ...p, currency: s.currency.toUpperCase() },
      }))
    },
    ga4: (s) => [
      fromGa4({ add: 'add_to_cart', remove: 'remove_from_cart', view: 'view_cart' }[s.kind], {
        currency: s.currency,
        items: s.lines.map((l) => ga4Item(l, true)),
      }),
    ],
    'dataLayer GA4': (s) => [
      fromDataLayer({
        event: { add: 'add_to_cart', remove: 'remove_from_cart', view: 'view_cart' }[s.kind],
        ecommerce: { currency: s.currency, items: s.lines.map((l) => ga4Item(l, false)) },
      }),
    ],
    'dataLayer legacy': (s) => [
      fromDataLayer({
        event: 'ecommerce',
        ecommerce: {
          currencyCode: s.currency,
          ...(s.kind === 'view'
            ? { checkout: { actionField: { step: 1 }, products: s.lines.map(uaProduct) } }
            : { [s.kind]: { products: s.lines.map(uaProduct) } }),
        },
      }),
    ],
  }

  /** The events of a path's output: adapters answer lists, the canonical path single events. */
  function eventsOf(outputs: unknown[]): TrackEvent[] {
    return outputs.flatMap((o) => {
      if (typeof o === 'object' && o !== null && 'ok' in o) {
        const r = o as {
          ok: unknown
          value?: readonly CommerceEvent[]
          error?: { message: string }
        }
        if (r.ok !== true) throw new Error(`adapter: ${JSON.stringify(o)}`)
        return [...(r.value ?? [])]
      }
      return [event(o)]
    })
  }

  test('for generated GA4, dataLayer and legacy payloads', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        const outcomes = Object.entries(paths).map(([name, path]) => {
          let current: CartSnapshot | undefined
          const errors: string[] = []
          for (const s of steps) {
            for (const e of eventsOf(path(s))) {
              const r = reduceCart(current, e, 1)
              if (r.ok) current = r.value
              else errors.push(r.error.code)
            }
          }
          return { name, current, errors }
        })
        const [first, ...rest] = outcomes
        for (const other of rest) {
          expect(other.current, `${other.name} vs ${first?.name}`).toEqual(first?.current)
          expect(other.errors, other.name).toEqual(first?.errors)
        }
      }),
      { numRuns: 200 },
    )
  })
})
