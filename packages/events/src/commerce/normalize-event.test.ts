import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { commerceEventNames } from './commerce-event.js'
import { commerceLimits } from './commerce-limits.js'
import { normalizeEvent } from './normalize-event.js'
import { samples } from './test-samples.js'

const { eventNameMax, keyMax, propertiesMax, stringMax, urlMax, textMax, itemsMax, filtersMax } =
  commerceLimits

describe('canonical commerce events', () => {
  test('cover the Segment e-commerce v2 events, each with a valid sample', () => {
    expect([...commerceEventNames].sort()).toEqual(Object.keys(samples).sort())
    expect(commerceEventNames).toHaveLength(28)
    for (const name of commerceEventNames) {
      const result = normalizeEvent({ event: name, properties: samples[name] })
      expect(result, name).toEqual({ ok: true, value: { event: name, properties: samples[name] } })
    }
  })

  test('normalize numeric strings, ids given as numbers and lower-case currencies', () => {
    expect(
      normalizeEvent({
        event: 'Order Completed',
        properties: {
          order_id: 50_012,
          total: '70.15',
          shipping: '4.95',
          currency: 'eur',
          products: [{ product_id: 12, price: '31.10', quantity: '2', position: '1' }],
        },
      }),
    ).toEqual({
      ok: true,
      value: {
        event: 'Order Completed',
        properties: {
          order_id: '50012',
          total: 70.15,
          shipping: 4.95,
          currency: 'EUR',
          products: [{ product_id: '12', price: 31.1, quantity: 2, position: 1 }],
        },
      },
    })
  })

  test('drop properties outside the schema, and read missing properties as {}', () => {
    expect(
      normalizeEvent({ event: 'Products Searched', properties: { query: 'tee', extra: 1 } }),
    ).toEqual({ ok: true, value: { event: 'Products Searched', properties: { query: 'tee' } } })
    expect(normalizeEvent({ event: 'Cart Viewed' })).toEqual({
      ok: true,
      value: { event: 'Cart Viewed', properties: {} },
    })
  })

  test('require the fields the event is about', () => {
    expect(normalizeEvent({ event: 'Product Added' })).toEqual({
      ok: false,
      error: {
        code: 'invalid_argument',
        path: 'properties.product_id',
        message: 'properties.product_id: required',
      },
    })
    expect(
      normalizeEvent({ event: 'Order Completed', properties: { total: 1, currency: 'EUR' } }),
    ).toMatchObject({ ok: false, error: { path: 'properties.order_id' } })
    expect(normalizeEvent({ event: 'Products Searched', properties: {} })).toMatchObject({
      ok: false,
      error: { path: 'properties.query' },
    })
  })

  test.each([
    ['price', { product_id: 'p', price: 10 }],
    ['value', { product_id: 'p', value: '10.00' }],
    ['a product price', { products: [{ product_id: 'p', price: 0 }] }],
    ['a product discount', { products: [{ product_id: 'p', discount: 2 }] }],
    ['shipping', { order_id: 'o', shipping: 4.95 }],
  ])('require a currency with an amount (%s)', (_, properties) => {
    const event =
      'products' in properties || 'shipping' in properties ? 'Order Updated' : 'Product Viewed'
    const withOrder = event === 'Order Updated' ? { order_id: 'o', ...properties } : properties
    expect(normalizeEvent({ event, properties: withOrder })).toEqual({
      ok: false,
      error: {
        code: 'invalid_argument',
        path: 'properties.currency',
        message: 'properties.currency: required when an amount is given',
      },
    })
  })

  test('refuse invalid values with invalid_argument and the path', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ product_id: 'p', price: '31,10', currency: 'EUR' }, 'properties.price'],
      [{ product_id: 'p', price: '1e309', currency: 'EUR' }, 'properties.price'],
      [{ product_id: 'p', price: -0.01, currency: 'EUR' }, 'properties.price'],
      [{ product_id: 'p', price: 1, currency: 'EURO' }, 'properties.currency'],
      [{ product_id: 'p', quantity: 0 }, 'properties.quantity'],
      [{ product_id: 'p', quantity: 1.5 }, 'properties.quantity'],
      [{ product_id: 'p', quantity: '2.5' }, 'properties.quantity'],
      [{ product_id: '' }, 'properties.product_id'],
      [{ product_id: 'p', name: 7 }, 'properties.name'],
      [{ product_id: 'p', url: 'javascript:alert(1)' }, 'properties.url'],
      [{ product_id: 'p', image_url: '/relative.jpg' }, 'properties.image_url'],
      [{ product_id: 'p', position: -1 }, 'properties.position'],
    ]
    for (const [properties, path] of cases) {
      const result = normalizeEvent({ event: 'Product Added', properties })
      expect(result, JSON.stringify(properties)).toMatchObject({
        ok: false,
        error: { code: 'invalid_argument', path },
      })
      if (!result.ok) expect(result.error.message.startsWith(`${path}: `)).toBe(true)
    }
    expect(
      normalizeEvent({ event: 'Product Reviewed', properties: { product_id: 'p', rating: 6 } }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_argument', path: 'properties.rating' } })
    expect(
      normalizeEvent({ event: 'Checkout Step Viewed', properties: { step: 0 } }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_argument', path: 'properties.step' } })
    expect(normalizeEvent(null)).toEqual({
      ok: false,
      error: { code: 'invalid_argument', path: '', message: 'expected object' },
    })
    expect(normalizeEvent({ event: 'Product Added', properties: [] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', path: 'properties' },
    })
  })
})

describe('limits answer limit_exceeded', () => {
  const limited = (event: string, properties: Record<string, unknown>) =>
    normalizeEvent({ event, properties })

  test('products per event (itemsMax)', () => {
    const products = (n: number) => Array.from({ length: n }, (_, i) => ({ product_id: `p${i}` }))
    expect(limited('Cart Viewed', { products: products(itemsMax) }).ok).toBe(true)
    expect(limited('Cart Viewed', { products: products(itemsMax + 1) })).toEqual({
      ok: false,
      error: {
        code: 'limit_exceeded',
        path: 'properties.products',
        message: `properties.products: at most ${itemsMax} items allowed`,
      },
    })
  })

  test('string values (stringMax), URLs (urlMax) and free text (textMax)', () => {
    const url = (n: number) => `https://shop.example/${'a'.repeat(n - 21)}`
    expect(url(urlMax)).toHaveLength(urlMax)
    const cases: [string, Record<string, unknown>, string, number][] = [
      ['Product Viewed', { product_id: 'p', name: 'n' }, 'name', stringMax],
      ['Product Viewed', { product_id: 'p' }, 'product_id', stringMax],
      ['Product Reviewed', { product_id: 'p' }, 'review_body', textMax],
      ['Cart Shared', {}, 'share_message', textMax],
    ]
    for (const [event, base, key, max] of cases) {
      expect(limited(event, { ...base, [key]: 'x'.repeat(max) }).ok).toBe(true)
      expect(limited(event, { ...base, [key]: 'x'.repeat(max + 1) })).toEqual({
        ok: false,
        error: {
          code: 'limit_exceeded',
          path: `properties.${key}`,
          message: `properties.${key}: at most ${max} characters allowed`,
        },
      })
    }
    expect(limited('Product Viewed', { product_id: 'p', url: url(urlMax) }).ok).toBe(true)
    expect(limited('Product Viewed', { product_id: 'p', url: url(urlMax + 1) })).toMatchObject({
      ok: false,
      error: { code: 'limit_exceeded', path: 'properties.url' },
    })
  })

  test('filters and sorts (filtersMax)', () => {
    const filters = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ type: 't', value: `${i}` }))
    expect(limited('Product List Filtered', { filters: filters(filtersMax) }).ok).toBe(true)
    expect(limited('Product List Filtered', { sorts: filters(filtersMax + 1) })).toMatchObject({
      ok: false,
      error: { code: 'limit_exceeded', path: 'properties.sorts' },
    })
  })

  test('quantity (quantityMax), amount (amountMax) and decimal strings (numberStringMax)', () => {
    const { quantityMax, amountMax, numberStringMax } = commerceLimits
    expect(limited('Product Added', { product_id: 'p', quantity: quantityMax }).ok).toBe(true)
    expect(limited('Product Added', { product_id: 'p', quantity: quantityMax + 1 })).toEqual({
      ok: false,
      error: {
        code: 'limit_exceeded',
        path: 'properties.quantity',
        message: `properties.quantity: at most ${quantityMax} allowed`,
      },
    })
    expect(
      limited('Order Completed', { order_id: 'o', total: amountMax * 2, currency: 'EUR' }),
    ).toMatchObject({ ok: false, error: { code: 'limit_exceeded', path: 'properties.total' } })
    expect(
      limited('Product Added', { product_id: 'p', quantity: `${'0'.repeat(numberStringMax)}1` }),
    ).toMatchObject({ ok: false, error: { code: 'limit_exceeded', path: 'properties.quantity' } })
  })
})

describe('custom events', () => {
  test('take any other name with primitive properties', () => {
    const properties = { plan: 'pro', seats: 3, trial: false, referrer: null }
    expect(normalizeEvent({ event: 'Signed Up', properties })).toEqual({
      ok: true,
      value: { event: 'Signed Up', properties },
    })
    expect(normalizeEvent({ event: 'newsletter_subscribed' })).toEqual({
      ok: true,
      value: { event: 'newsletter_subscribed' },
    })
  })

  test('may not borrow a commerce name, whatever its case', () => {
    expect(normalizeEvent({ event: 'order completed', properties: { order_id: 'o' } })).toEqual({
      ok: false,
      error: {
        code: 'invalid_argument',
        path: 'event',
        message:
          "event: reserved for the commerce event 'Order Completed', which must match its schema",
      },
    })
    expect(normalizeEvent({ event: ' Product Added ' })).toMatchObject({
      ok: false,
      error: { path: 'event' },
    })
  })

  test('refuse bad names, keys and values', () => {
    const refused: [unknown, string, string][] = [
      [{ event: '' }, 'event', 'invalid_argument'],
      [{ event: '  ' }, 'event', 'invalid_argument'],
      [{ event: 'a\u0000b' }, 'event', 'invalid_argument'],
      [{ event: 7 }, 'event', 'invalid_argument'],
      [{ event: 'e'.repeat(eventNameMax + 1) }, 'event', 'limit_exceeded'],
      [{ event: 'e', properties: { '1st': 1 } }, 'properties.1st', 'invalid_argument'],
      [{ event: 'e', properties: { 'a-b': 1 } }, 'properties.a-b', 'invalid_argument'],
      [
        { event: 'e', properties: { constructor: 1 } },
        'properties.constructor',
        'invalid_argument',
      ],
      [{ event: 'e', properties: { prototype: 1 } }, 'properties.prototype', 'invalid_argument'],
      [
        { event: 'e', properties: JSON.parse('{"__proto__": {"admin": true}}') },
        'properties.__proto__',
        'invalid_argument',
      ],
      [{ event: 'e', properties: { k: { nested: 1 } } }, 'properties.k', 'invalid_argument'],
      [{ event: 'e', properties: { k: [1] } }, 'properties.k', 'invalid_argument'],
      [{ event: 'e', properties: { k: Number.NaN } }, 'properties.k', 'invalid_argument'],
      [{ event: 'e', properties: 'x' }, 'properties', 'invalid_argument'],
      [
        { event: 'e', properties: { ['k'.repeat(keyMax + 1)]: 1 } },
        `properties.${'k'.repeat(keyMax + 1)}`,
        'limit_exceeded',
      ],
      [
        { event: 'e', properties: { k: 'v'.repeat(stringMax + 1) } },
        'properties.k',
        'limit_exceeded',
      ],
    ]
    for (const [input, path, code] of refused) {
      expect(normalizeEvent(input), JSON.stringify(input)).toMatchObject({
        ok: false,
        error: { code, path },
      })
    }
    expect(normalizeEvent({ event: 'e'.repeat(eventNameMax) }).ok).toBe(true)
    expect(
      normalizeEvent({ event: 'e', properties: { ['k'.repeat(keyMax)]: 'v'.repeat(stringMax) } })
        .ok,
    ).toBe(true)
  })

  test('carry at most propertiesMax properties', () => {
    const props = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))
    expect(normalizeEvent({ event: 'e', properties: props(propertiesMax) }).ok).toBe(true)
    expect(normalizeEvent({ event: 'e', properties: props(propertiesMax + 1) })).toEqual({
      ok: false,
      error: {
        code: 'limit_exceeded',
        path: 'properties',
        message: `properties: at most ${propertiesMax} properties allowed`,
      },
    })
  })
})

describe('normalizeEvent on anything', () => {
  const codes = ['invalid_argument', 'limit_exceeded']

  test('never throws and answers a typed error', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const result = normalizeEvent(input)
        if (!result.ok) expect(codes).toContain(result.error.code)
      }),
      { numRuns: 500 },
    )
  })

  test('never throws on commerce-shaped junk, and its output normalizes to itself', () => {
    const junk = fc.record({
      event: fc.constantFrom(...commerceEventNames),
      properties: fc.dictionary(
        fc.constantFrom(
          'product_id',
          'price',
          'currency',
          'quantity',
          'products',
          'order_id',
          'value',
          'query',
        ),
        fc.oneof(
          fc.string(),
          fc.double(),
          fc.integer(),
          fc.constant('eur'),
          fc.constant([{ product_id: 'p' }]),
        ),
      ),
    })
    fc.assert(
      fc.property(junk, (input) => {
        const result = normalizeEvent(input)
        if (result.ok) expect(normalizeEvent(result.value)).toEqual(result)
        else expect(codes).toContain(result.error.code)
      }),
      { numRuns: 500 },
    )
  })
})
