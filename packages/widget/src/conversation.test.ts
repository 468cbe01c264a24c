import type { HostEvents } from '@causette/events'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest'
import { storageKeys } from './create-device-storage.js'
import { createWidgetRuntime } from './create-widget.js'
import type { WidgetOptions } from './options.js'
import {
  createFakeClock,
  createFakeSockets,
  ruleMatch,
  sendFromPanel,
  settle,
  spyStorage,
  startContractServer,
} from './test-support.js'

// The widget against a real HTTP server that speaks the contract of issue #4; sockets are fakes
// that never connect (messages wait in the outbox), which is all these tests need.

let server: Awaited<ReturnType<typeof startContractServer>>
beforeAll(async () => {
  server = await startContractServer()
})
afterAll(() => server.close())
beforeEach(() => {
  server.requests.length = 0
  server.forgetVisitors()
  server.handlers.context = () => ({ status: 200, json: { ok: true } })
})
afterEach(() => {
  document.body.replaceChildren()
})

function widgetOn(extra: Partial<WidgetOptions> = {}) {
  const { storage, data } = spyStorage()
  const clock = createFakeClock()
  const runtime = createWidgetRuntime({
    siteId: 'demo',
    serverUrl: server.url,
    storage,
    WebSocket: createFakeSockets().WebSocket,
    timers: clock.timers,
    now: clock.now,
    navigation: {},
    ...extra,
  })
  const events: Array<[string, unknown]> = []
  for (const name of ['conversation:started', 'conversation:ended', 'open', 'error'] as const) {
    runtime.widget.on(name, (payload: HostEvents[typeof name]) => events.push([name, payload]))
  }
  return { ...runtime, data, clock, events }
}

const posted = (path: string) =>
  server.requests.filter((r) => r.method === 'POST' && r.path === path).map((r) => r.body)

/** The visitor writes; resolves once the server has been asked to open the conversation. */
async function startByWriting(text: string) {
  const before = posted('/conversations').length
  await sendFromPanel(text)
  await vi.waitFor(() => expect(posted('/conversations').length).toBe(before + 1))
  await settle(10)
}

describe('context kept before a conversation exists', () => {
  test('is sent whole with the conversation start, scopes, page, events and observed facts', async () => {
    const { widget, events } = widgetOn()
    await widget.init()
    await widget.set('visitor', { plan: 'gold' })
    await widget.set('session', { campaign: 'spring' })
    await widget.page({
      type: 'product',
      product: { product_id: '42', price: 31.1, currency: 'eur' },
    })
    await widget.set('page', { variant: 'blue' })
    await widget.set('conversation', { topic: 'sizing' })
    await widget.track('Product Added', { product_id: '42' })
    expect(server.requests).toEqual([])

    await widget.open()
    await startByWriting('Does it run small?')
    const [body] = posted('/conversations')
    expect(body).toEqual({
      context: {
        visitor: { plan: 'gold' },
        session: { campaign: 'spring' },
        page: { variant: 'blue' },
        conversation: { topic: 'sizing' },
        observed: {
          language: expect.any(String),
          time_zone: expect.any(String),
          device: 'desktop',
        },
        page_view: expect.objectContaining({
          url: location.href,
          type: 'product',
          product: { product_id: '42', price: 31.1, currency: 'EUR' },
        }),
        events: { 'Product Added': 1 },
        // Derived from the commerce events (docs/events.md).
        cart: {
          items: [{ product_id: '42', quantity: 1 }],
          item_count: 1,
          value: 0,
          updated_at: expect.any(Number),
        },
      },
    })
    expect(events).toContainEqual([
      'conversation:started',
      { conversationId: expect.any(String), trigger: null },
    ])
    widget.destroy()
  })

  test('the cart set directly, and dataLayer pushes as they are, end up in the conversation', async () => {
    const { widget } = widgetOn()
    await widget.init()
    // A cart given whole: value and item count derived exactly, never the host's figures.
    const cart = await widget.cart({
      cart_id: 'c-1',
      currency: 'eur',
      items: [
        { product_id: 'mug', price: '24.10', quantity: 2 },
        { product_id: 'bowl', price: 38, quantity: 1 },
      ],
    })
    expect(cart).toMatchObject({ currency: 'EUR', value: 86.2, item_count: 3 })
    // A legacy Enhanced Ecommerce push, verbatim: one more mug.
    const events = await widget.track({
      event: 'addToCart',
      ecommerce: {
        currencyCode: 'EUR',
        add: { products: [{ id: 'mug', name: 'Stoneware mug', price: '24.10', quantity: 1 }] },
      },
    })
    expect(events).toEqual([expect.objectContaining({ event: 'Product Added' })])
    // Pushes that are not commerce (GTM's own) change nothing and do not fail.
    expect(await widget.track({ event: 'gtm.js', 'gtm.start': 1 })).toEqual([])
    // A bad cart is refused with a typed error, and the cart stays as it was.
    await expect(widget.cart({ items: [{ product_id: 'x', price: '1,5' }] })).rejects.toMatchObject(
      { code: 'invalid_argument' },
    )
    await widget.open()
    await startByWriting('Is the mug microwave safe?')
    const [body] = posted('/conversations') as Array<{ context: { cart: unknown } }>
    expect(body?.context.cart).toMatchObject({
      cart_id: 'c-1',
      currency: 'EUR',
      value: 110.3,
      item_count: 4,
    })
    // Emptied directly.
    expect(await widget.cart(null)).toBeNull()
    widget.destroy()
  })

  test('while the conversation is open, changes go as coalesced ContextUpdates', async () => {
    const { widget, clock } = widgetOn()
    await widget.init()
    await widget.open()
    await startByWriting('Hello')
    await widget.set('visitor', { plan: 'silver' })
    await widget.set('visitor', { plan: 'platinum', tier: null })
    await widget.track('Checkout Started')
    expect(posted('/context')).toEqual([])
    clock.advance(500)
    await vi.waitFor(() => expect(posted('/context')).toHaveLength(1))
    expect(posted('/context')).toEqual([
      {
        visitor: { plan: 'platinum', tier: null },
        events: { 'Checkout Started': 1 },
        // Checkout Started hints at the page's type.
        page_view: expect.objectContaining({ type: 'checkout' }),
      },
    ])
    widget.destroy()
  })

  test('a failed update is kept and sent again, merged with what changed meanwhile', async () => {
    const { widget, clock } = widgetOn()
    await widget.init()
    await widget.open()
    await startByWriting('Hello')
    let failures = 1
    server.handlers.context = () =>
      failures-- > 0
        ? { status: 503, json: { error: { code: 'internal', message: 'busy' } } }
        : { status: 200, json: { ok: true } }
    await widget.set('session', { step: 1 })
    clock.advance(500)
    // Real HTTP: wait for the failure to be handled (its retry scheduled), not a fixed time.
    await vi.waitFor(() => expect(posted('/context')).toHaveLength(1))
    await vi.waitFor(() => expect(clock.pending()).toBe(1))
    await widget.set('session', { coupon: 'SPRING' })
    clock.advance(1_000)
    await vi.waitFor(() => expect(posted('/context')).toHaveLength(2))
    expect(posted('/context')).toEqual([
      { session: { step: 1 } },
      { session: { step: 1, coupon: 'SPRING' } },
    ])
    widget.destroy()
  })

  test('a conversation opened from a proactive message carries the rule match as its trigger', async () => {
    const { widget, host: loadHost, events } = widgetOn()
    await widget.init()
    const host = await loadHost()
    const match = ruleMatch('cart-help')
    expect(host.showProactive({ text: 'Questions about your cart?' }, match)).toEqual({
      shown: true,
    })
    const root = document.querySelector('[data-causette]')?.shadowRoot
    root?.querySelector<HTMLButtonElement>('.proactive-open')?.click()
    await vi.waitFor(() => expect(events).toContainEqual(['open', { source: 'proactive' }]))
    await startByWriting('Yes, shipping?')
    expect(posted('/conversations')[0]).toMatchObject({ trigger: match })
    expect(events).toContainEqual([
      'conversation:started',
      { conversationId: expect.any(String), trigger: match },
    ])
    widget.destroy()
  })
})

describe('a returning visitor', () => {
  test('resumes its open conversation; one closed since is reported as ended', async () => {
    const keys = storageKeys('demo', server.url)
    server.knowVisitor('v9', 'token-v9')
    const first = widgetOn()
    first.data.set(keys.visitor, JSON.stringify({ visitorId: 'v9', token: 'token-v9' }))
    first.data.set(keys.conversation, 'c9')
    await first.widget.init()
    await vi.waitFor(() =>
      expect(server.requests.map((r) => `${r.method} ${r.path} ${r.token}`)).toEqual([
        'GET /conversation token-v9',
      ]),
    )
    await vi.waitFor(() =>
      expect(first.events).toContainEqual([
        'conversation:ended',
        { conversationId: 'c9', reason: 'closed' },
      ]),
    )
    expect(first.data.has(keys.conversation)).toBe(false)
    first.widget.destroy()

    server.openConversation('v9', 'c10', 4)
    const second = widgetOn()
    second.data.set(keys.visitor, JSON.stringify({ visitorId: 'v9', token: 'token-v9' }))
    second.data.set(keys.conversation, 'c10')
    const ready = await second.widget.init()
    expect(ready.conversationId).toBe('c10')
    await vi.waitFor(() => expect(server.requests).toHaveLength(2))
    await settle(10)
    expect(second.events.filter(([name]) => name === 'conversation:ended')).toEqual([])
    second.widget.destroy()
  })
})

describe('reset', () => {
  test('clears every scope, the stored keys, the identity and the conversation', async () => {
    const { widget, data, events, host: loadHost } = widgetOn()
    await widget.init()
    await widget.set('visitor', { plan: 'gold' })
    await widget.open()
    await startByWriting('Hello')
    expect([...data.keys()].some((k) => k.startsWith('causette:'))).toBe(true)
    await widget.reset()
    expect([...data.keys()].filter((k) => k.startsWith('causette:'))).toEqual([])
    expect(events).toContainEqual([
      'conversation:ended',
      { conversationId: expect.any(String), reason: 'reset' },
    ])
    const host = await loadHost()
    expect(host.context()).toEqual({ observed: expect.any(Object) })
    expect(host.conversationId()).toBeUndefined()
    // The next conversation belongs to a new visitor.
    await widget.open()
    await startByWriting('Hello again')
    const tokens = server.requests.filter((r) => r.path === '/conversations').map((r) => r.token)
    expect(tokens).toHaveLength(2)
    expect(tokens[0]).not.toBe(tokens[1])
    widget.destroy()
  })
})
