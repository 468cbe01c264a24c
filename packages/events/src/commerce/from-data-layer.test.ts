import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { commerceLimits } from './commerce-limits.js'
import { fromDataLayer } from './from-data-layer.js'

const product = (extra: Record<string, unknown> = {}) => ({
  id: 'p1',
  name: 'Tee',
  price: '10.00',
  ...extra,
})

describe('fromDataLayer', () => {
  test('ignores pushes that are no commerce event', () => {
    for (const push of [
      undefined,
      null,
      'event',
      42,
      () => undefined,
      {},
      { event: 'gtm.load' },
      { ecommerce: {} },
      { event: 'view', ecommerce: { currencyCode: 'EUR' } },
      { ecommerce: null, event: 'view_item_extra' },
      [],
      ['set', { currency: 'EUR' }],
      [{ toString: () => 'x' }],
    ]) {
      expect(fromDataLayer(push).ok, JSON.stringify(push)).toBe('ignored')
    }
  })

  test('reads a GA4 event without an ecommerce object from the push itself', () => {
    expect(
      fromDataLayer({ event: 'view_item', currency: 'EUR', items: [{ item_id: 'p1', price: 1 }] }),
    ).toEqual({
      ok: true,
      value: [
        { event: 'Product Viewed', properties: { product_id: 'p1', price: 1, currency: 'EUR' } },
      ],
    })
  })

  test('answers typed errors with the path in the push', () => {
    expect(
      fromDataLayer({ ecommerce: { currencyCode: 'EUR', detail: { actionField: {} } } }),
    ).toEqual({
      ok: false,
      error: {
        code: 'invalid_argument',
        path: 'ecommerce.detail.products',
        message: 'ecommerce.detail.products: expected array',
      },
    })
    expect(fromDataLayer({ ecommerce: { add: { products: [] } } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', path: 'ecommerce.add.products' },
    })
    expect(fromDataLayer({ ecommerce: { promoView: { promotions: 'x' } } })).toMatchObject({
      ok: false,
      error: { path: 'ecommerce.promoView.promotions' },
    })
    expect(
      fromDataLayer({ ecommerce: { currencyCode: 'EUR', purchase: { products: [product()] } } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', path: 'properties.order_id' },
    })
    expect(
      fromDataLayer({ ecommerce: { currencyCode: 'EURO', add: { products: [product()] } } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', path: 'properties.currency' },
    })
    expect(
      fromDataLayer({
        ecommerce: { currencyCode: 'EUR', add: { products: [product({ price: '10,00' })] } },
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_argument', path: 'properties.price' } })
  })

  test(`answers limit_exceeded beyond ${commerceLimits.itemsMax} products or impressions`, () => {
    const many = Array.from({ length: commerceLimits.itemsMax + 1 }, (_, i) =>
      product({ id: `p${i}` }),
    )
    expect(
      fromDataLayer({ ecommerce: { currencyCode: 'EUR', add: { products: many } } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'limit_exceeded', path: 'ecommerce.add.products' },
    })
    expect(fromDataLayer({ ecommerce: { currencyCode: 'EUR', impressions: many } })).toMatchObject({
      ok: false,
      error: { code: 'limit_exceeded', path: 'ecommerce.impressions' },
    })
    expect(
      fromDataLayer({ ecommerce: { currencyCode: 'EUR', impressions: many.slice(1) } }).ok,
    ).toBe(true)
  })

  test('keeps absolute http(s) URLs, resolves relative ones against baseUrl, refuses other schemes', () => {
    const push = (url: string) => ({
      ecommerce: { currencyCode: 'EUR', add: { products: [product({ url })] } },
    })
    expect(fromDataLayer(push('https://shop.example/p/1'))).toMatchObject({
      ok: true,
      value: [{ properties: { url: 'https://shop.example/p/1' } }],
    })
    expect(fromDataLayer(push('../p/2'), { baseUrl: 'https://shop.example/a/b' })).toMatchObject({
      ok: true,
      value: [{ properties: { url: 'https://shop.example/p/2' } }],
    })
    expect(fromDataLayer(push('/p/3'), { baseUrl: 'not a url' })).toEqual(
      fromDataLayer(push('/p/3')),
    )
    expect(
      fromDataLayer(push('javascript:alert(1)'), { baseUrl: 'https://shop.example/' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', path: 'properties.url' },
    })
  })

  test('a legacy push with several actions gives their events in page order', () => {
    const result = fromDataLayer({
      event: 'productDetail',
      ecommerce: {
        currencyCode: 'EUR',
        detail: { products: [product()] },
        impressions: [product({ id: 'p2', list: 'Related' })],
        promoView: { promotions: [{ id: 'SALE' }] },
      },
    })
    expect(result.ok === true && result.value.map((e) => e.event)).toEqual([
      'Product List Viewed',
      'Promotion Viewed',
      'Product Viewed',
    ])
  })

  test('never throws, whatever the push', () => {
    const ecommerce = fc.dictionary(
      fc.constantFrom(
        'currencyCode',
        'add',
        'detail',
        'purchase',
        'impressions',
        'checkout',
        'items',
        'currency',
      ),
      fc.anything(),
    )
    fc.assert(
      fc.property(
        fc.anything(),
        ecommerce,
        fc.constantFrom('add_to_cart', 'purchase', 'x'),
        (push, ec, event) => {
          expect([true, false, 'ignored']).toContain(fromDataLayer(push).ok)
          expect([true, false, 'ignored']).toContain(fromDataLayer({ event, ecommerce: ec }).ok)
        },
      ),
      { numRuns: 300 },
    )
  })
})
