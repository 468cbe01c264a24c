import { describe, expect, test } from 'vitest'
import { decodeCommerce } from './commerce-error.js'
import { normalizeEvent, type TrackEvent } from './normalize-event.js'
import { PageSnapshot } from './page-snapshot.js'
import { reducePage } from './reduce-page.js'
import { samples } from './test-samples.js'

function event(input: unknown): TrackEvent {
  const result = normalizeEvent(input)
  if (!result.ok) throw new Error(result.error.message)
  return result.value
}

const page: PageSnapshot = { url: 'https://shop.example/p/tee', path: '/p/tee' }

describe('reducePage', () => {
  test('Product Viewed sets the product in view, and hints a product page', () => {
    const viewed = event({ event: 'Product Viewed', properties: samples['Product Viewed'] })
    expect(reducePage(page, viewed)).toEqual({
      ...page,
      type: 'product',
      product: {
        product_id: 'tee-1',
        sku: 'TEE-1-M',
        name: 'Organic tee',
        price: 31.1,
        currency: 'EUR',
        variant: 'M',
        category: 'Apparel/Tops',
        brand: 'Causette',
        url: 'https://shop.example/products/tee',
        image_url: 'https://cdn.example/tee.jpg',
      },
    })
  })

  test('cart, checkout, search and order events hint at the page type', () => {
    const hints = {
      'Cart Viewed': 'cart',
      'Checkout Started': 'checkout',
      'Checkout Step Viewed': 'checkout',
      'Checkout Step Completed': 'checkout',
      'Payment Info Entered': 'checkout',
      'Products Searched': 'search',
      'Order Completed': 'confirmation',
    } as const
    for (const [name, type] of Object.entries(hints)) {
      expect(
        reducePage(page, event({ event: name, properties: samples[name as keyof typeof hints] })),
      ).toEqual({
        ...page,
        type,
      })
    }
  })

  test('a hint never overrides the type the host set, but the product in view still changes', () => {
    const category: PageSnapshot = { ...page, type: 'category' }
    expect(reducePage(category, event({ event: 'Cart Viewed' }))).toBe(category)
    const viewed = reducePage(
      category,
      event({ event: 'Product Viewed', properties: { product_id: 'q' } }),
    )
    expect(viewed).toEqual({ ...category, product: { product_id: 'q' } })
  })

  test('other events give the same page back', () => {
    for (const e of [
      event({ event: 'Product Added', properties: samples['Product Added'] }),
      event({ event: 'Promotion Viewed' }),
      event({ event: 'Signed Up' }),
    ]) {
      expect(reducePage(page, e)).toBe(page)
    }
  })

  test('its output is a valid PageSnapshot', () => {
    const viewed = event({ event: 'Product Viewed', properties: samples['Product Viewed'] })
    expect(decodeCommerce(PageSnapshot, reducePage(page, viewed)).ok).toBe(true)
  })
})

describe('PageSnapshot', () => {
  test('validates URLs, types and the product money', () => {
    expect(decodeCommerce(PageSnapshot, { url: 'javascript:x', path: '/' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', path: 'url' },
    })
    expect(decodeCommerce(PageSnapshot, { ...page, type: 'landing' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', path: 'type' },
    })
    expect(
      decodeCommerce(PageSnapshot, { ...page, product: { product_id: 'p', price: 3 } }),
    ).toEqual({
      ok: false,
      error: {
        code: 'invalid_argument',
        path: 'product.currency',
        message: 'product.currency: required when an amount is given',
      },
    })
    expect(decodeCommerce(PageSnapshot, { ...page, title: 't'.repeat(513) })).toMatchObject({
      ok: false,
      error: { code: 'limit_exceeded', path: 'title' },
    })
  })
})
