import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { commerceLimits } from './commerce-limits.js'
import { fromGa4 } from './from-ga4.js'
import { decimalString } from './test-samples.js'

const item = (extra: Record<string, unknown> = {}) => ({ item_id: 'p1', price: 10, ...extra })

describe('fromGa4', () => {
  test('never truncates a price: a decimal string becomes Number(s)', () => {
    fc.assert(
      fc.property(decimalString, fc.constantFrom('eur', 'EUR', 'Eur'), (price, currency) => {
        expect(fromGa4('add_to_cart', { currency, items: [{ item_id: 'p', price }] })).toEqual({
          ok: true,
          value: [
            {
              event: 'Product Added',
              properties: { product_id: 'p', price: Number(price), currency: 'EUR' },
            },
          ],
        })
      }),
      { numRuns: 300 },
    )
  })

  test('an item with only a name takes it as its id', () => {
    expect(fromGa4('view_item', { items: [{ item_name: 'Tee' }] })).toEqual({
      ok: true,
      value: [{ event: 'Product Viewed', properties: { product_id: 'Tee', name: 'Tee' } }],
    })
  })

  test('the shop currency of the options applies when the event has none', () => {
    expect(fromGa4('add_to_cart', { items: [item()] }, { currency: 'chf' })).toMatchObject({
      ok: true,
      value: [{ properties: { currency: 'CHF' } }],
    })
    expect(
      fromGa4('add_to_cart', { currency: 'EUR', items: [item()] }, { currency: 'CHF' }),
    ).toMatchObject({ ok: true, value: [{ properties: { currency: 'EUR' } }] })
  })

  test('refuses product events without items, and items that are not a list', () => {
    for (const params of [{}, { items: [] }, undefined, 'x']) {
      expect(fromGa4('add_to_cart', params)).toMatchObject({
        ok: false,
        error: { code: 'invalid_argument', path: 'items' },
      })
    }
    expect(fromGa4('view_cart', { items: { 0: item() } })).toEqual({
      ok: false,
      error: { code: 'invalid_argument', path: 'items', message: 'items: expected array' },
    })
    expect(fromGa4('view_cart', { currency: 'EUR' })).toEqual({
      ok: true,
      value: [{ event: 'Cart Viewed', properties: { currency: 'EUR' } }],
    })
  })

  test(`answers limit_exceeded beyond ${commerceLimits.itemsMax} items`, () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => item({ item_id: `p${i}` }))
    expect(
      fromGa4('add_to_cart', { currency: 'EUR', items: items(commerceLimits.itemsMax) }).ok,
    ).toBe(true)
    expect(
      fromGa4('view_cart', { currency: 'EUR', items: items(commerceLimits.itemsMax + 1) }),
    ).toEqual({
      ok: false,
      error: {
        code: 'limit_exceeded',
        path: 'items',
        message: `items: at most ${commerceLimits.itemsMax} items allowed`,
      },
    })
  })

  test('answers the canonical path of an invalid value', () => {
    expect(
      fromGa4('add_to_cart', { currency: 'EUR', items: [item({ price: '31,10' })] }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', path: 'properties.price' },
    })
    expect(fromGa4('purchase', { currency: 'EUR', value: 10 })).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_argument',
        path: 'properties.order_id',
        message: 'properties.order_id: required',
      },
    })
    expect(
      fromGa4('purchase', { transaction_id: 'T1', value: '1e309', currency: 'EUR' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', path: 'properties.value' },
    })
    expect(
      fromGa4('view_item', {
        currency: 'EUR',
        items: [item({ item_category: 'A', item_category2: { id: 7 } })],
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', path: 'properties.category' },
    })
  })

  test('joins the GA4 category levels into one path', () => {
    expect(
      fromGa4('view_item', {
        items: [
          { item_id: 'p', item_category: 'Apparel', item_category2: 12, item_category4: 'Crew' },
        ],
      }),
    ).toMatchObject({ ok: true, value: [{ properties: { category: 'Apparel/12/Crew' } }] })
  })

  test('reads own parameters only, and ignores names outside GA4 ecommerce', () => {
    const inherited = Object.create({ currency: 'EUR' })
    inherited.items = [item()]
    expect(fromGa4('add_to_cart', inherited)).toMatchObject({
      ok: false,
      error: { path: 'properties.currency' },
    })
    for (const name of [
      'page_view',
      'login',
      '__proto__',
      'constructor',
      'toString',
      'Product Added',
    ]) {
      expect(fromGa4(name, {})).toEqual({
        ok: 'ignored',
        reason: `'${name}' is not a GA4 ecommerce event`,
      })
    }
  })

  test('never throws, whatever the parameters', () => {
    const names = fc.constantFrom(
      'view_item',
      'add_to_cart',
      'purchase',
      'view_cart',
      'search',
      'view_promotion',
      'x',
    )
    fc.assert(
      fc.property(names, fc.anything(), (name, params) => {
        expect([true, false, 'ignored']).toContain(fromGa4(name, params).ok)
        expect([true, false, 'ignored']).toContain(
          fromGa4(name, { items: [params], currency: params }).ok,
        )
      }),
      { numRuns: 300 },
    )
  })
})
