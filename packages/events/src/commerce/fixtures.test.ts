import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import type { AdapterOptions } from './adapted.js'
import type { CartSnapshot } from './cart-snapshot.js'
import { fromDataLayer } from './from-data-layer.js'
import { fromGa4 } from './from-ga4.js'
import type { PageSnapshot } from './page-snapshot.js'
import { reduceCart } from './reduce-cart.js'
import { reducePage } from './reduce-page.js'

// Real-world payload shapes (fixtures/*.json), each with the exact canonical output it must give.
interface Case {
  description: string
  source: string
  call: 'fromGa4' | 'fromDataLayer'
  name?: string
  options?: AdapterOptions
  payload: unknown
  expected: unknown
}
interface Session {
  description: string
  page: PageSnapshot
  options?: AdapterOptions
  pushes: unknown[]
  expected: { cart: CartSnapshot; page: PageSnapshot }
}

const dir = new URL('./fixtures/', import.meta.url)
const read = (file: string) => JSON.parse(readFileSync(new URL(file, dir), 'utf8'))
const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'sessions.json')

test('fixtures cover GA4, dataLayer, legacy, Shopify-style and ignored pushes', () => {
  expect(files.sort()).toEqual([
    'ga4-data-layer.json',
    'ga4-gtag.json',
    'ignored.json',
    'legacy-enhanced-ecommerce.json',
    'shopify-style.json',
  ])
})

for (const file of files) {
  describe(file, () => {
    const cases: Case[] = read(file).cases
    test.each(cases.map((c) => [c.description, c] as const))('%s', (_, c) => {
      const result =
        c.call === 'fromGa4'
          ? fromGa4(c.name ?? '', c.payload, c.options)
          : fromDataLayer(c.payload, c.options)
      expect(result).toEqual(c.expected)
      expect(c.source).toMatch(/^https:\/\//)
    })
  })
}

describe('sessions.json: pushes of a visit, through the adapters, into the snapshots', () => {
  const sessions: Session[] = read('sessions.json').sessions
  test.each(sessions.map((s) => [s.description, s] as const))('%s', (_, session) => {
    const now = 1_700_000_000_000
    let cart: CartSnapshot | undefined
    let page = session.page
    for (const push of session.pushes) {
      const adapted = fromDataLayer(push, session.options)
      if (adapted.ok === 'ignored') continue
      if (!adapted.ok) throw new Error(adapted.error.message)
      for (const event of adapted.value) {
        const next = reduceCart(cart, event, now)
        if (!next.ok) throw new Error(next.error.message)
        cart = next.value
        page = reducePage(page, event)
      }
    }
    expect(cart).toEqual(session.expected.cart)
    expect(page).toEqual(session.expected.page)
  })
})

test('a real arguments object pushed by gtag() is read like an array', () => {
  function gtag(..._args: unknown[]) {
    // biome-ignore lint/complexity/noArguments: gtag pushes exactly this object
    return fromDataLayer(arguments)
  }
  expect(
    gtag('event', 'view_item', { currency: 'eur', items: [{ item_id: 'p1', price: '9.90' }] }),
  ).toEqual({
    ok: true,
    value: [
      { event: 'Product Viewed', properties: { product_id: 'p1', price: 9.9, currency: 'EUR' } },
    ],
  })
  expect(gtag('js', new Date(0))).toEqual({ ok: 'ignored', reason: "gtag 'js' command" })
})
