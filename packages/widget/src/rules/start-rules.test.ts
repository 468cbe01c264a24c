import type { HostEvents, Rule, RuleMatch, RuleSet } from '@causette/events'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest'
import { storageKeys } from '../create-device-storage.js'
import { createWidgetRuntime } from '../create-widget.js'
import type { WidgetOptions } from '../options.js'
import {
  createFakeClock,
  createFakeSockets,
  sendFromPanel,
  settle,
  spyStorage,
  startContractServer,
} from '../test-support.js'

// Engagement rules in the real widget: init({ rules }), the context store, the proactive bubble,
// the chat chunk and a real HTTP server; time is a fake clock (a Tuesday, 10:00 in Paris).

let server: Awaited<ReturnType<typeof startContractServer>>
beforeAll(async () => {
  server = await startContractServer()
})
afterAll(() => server.close())
beforeEach(() => {
  server.requests.length = 0
  server.forgetVisitors()
  server.handlers.availability = () => ({ status: 200, json: { agentsOnline: 2 } })
})
afterEach(() => {
  document.body.replaceChildren()
  history.replaceState(null, '', '/')
  vi.restoreAllMocks()
})

const tuesday10h = Date.parse('2024-04-02T08:00:00Z')

function rule(id: string, extra: Partial<Rule> = {}): Rule {
  return {
    id,
    name: `Rule ${id}`,
    enabled: true,
    priority: 0,
    trigger: { type: 'page_view' },
    conditions: { all: [] },
    actions: [{ type: 'proactive_message', text: `Hello from ${id}` }],
    frequency: { per: 'visitor', max: 100 },
    ...extra,
  }
}

const ruleSet = (rules: Rule[], extra: Partial<RuleSet> = {}): RuleSet => ({
  rules,
  max_proactive_per_session: 10,
  ...extra,
})

function widgetWith(extra: Partial<WidgetOptions> = {}) {
  const clock = createFakeClock(tuesday10h)
  const { storage, data } = spyStorage()
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
  for (const name of [
    'proactive:shown',
    'proactive:dismissed',
    'open',
    'conversation:started',
    'error',
  ] as const) {
    runtime.widget.on(name, (payload: HostEvents[typeof name]) => events.push([name, payload]))
  }
  const root = () => document.querySelector('[data-causette]')?.shadowRoot
  const bubble = () => root()?.querySelector('.proactive .text')?.textContent ?? null
  const shown = () => events.filter(([name]) => name === 'proactive:shown').map(([, p]) => p)
  const asked = () => server.requests.filter((r) => r.path === '/sites/demo/availability').length
  const stored = () => JSON.parse(data.get(storageKeys('demo', server.url).rules) ?? 'null')
  return { ...runtime, clock, data, events, root, bubble, shown, asked, stored }
}

const posted = (path: string) =>
  server.requests.filter((r) => r.method === 'POST' && r.path === path).map((r) => r.body)

describe('init({ rules })', () => {
  test('refuses a bad rule set with a typed error naming the path, and changes nothing', async () => {
    const { widget } = widgetWith()
    await expect(widget.init({ rules: 'all of them' as never })).rejects.toMatchObject({
      name: 'CausetteError',
      code: 'invalid_argument',
      message: 'init(options).rules: expected object',
    })
    const bad = ruleSet([rule('a', { conditions: { fact: 'visitor.__proto__', op: 'exists' } })])
    await expect(widget.init({ rules: bad })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(/^init\(options\)\.rules\.rules\.0\.conditions/),
    })
    const many = ruleSet(Array.from({ length: 101 }, (_, i) => rule(`r${i}`)))
    await expect(widget.init({ rules: many })).rejects.toMatchObject({ code: 'limit_exceeded' })
    await expect(widget.init({ title: 'Help', rules: undefined })).resolves.toMatchObject({
      conversationId: null,
    })
    expect(document.querySelectorAll('[data-causette]')).toHaveLength(1)
    widget.destroy()
  })
})

describe('rules in the widget', () => {
  test('a page-view rule shows its message on load, once the queued page details are in', async () => {
    const { widget, clock, bubble, shown, stored } = widgetWith()
    history.replaceState(null, '', '/shop/vase')
    const productOnly = rule('product-help', {
      conditions: { fact: 'page.type', op: 'eq', value: 'product' },
      frequency: { per: 'visitor', max: 5, until: 'seen' },
    })
    await widget.init({ rules: ruleSet([productOnly]) })
    // The page says what it is right after init, as a script tag's queue or a router would.
    await widget.page({ type: 'product' })
    expect(bubble()).toBeNull()
    clock.advance(0)
    expect(bubble()).toBe('Hello from product-help')
    expect(shown()).toEqual([{ text: 'Hello from product-help', ruleId: 'product-help' }])
    // Seen: it never shows again, here or on the next page (kept with personalization consent).
    expect(stored().state.rules['product-help']).toMatchObject({ visitor: 1, seen: true })
    await widget.page({ url: 'https://shop.test/shop/lamp', type: 'product' })
    clock.advance(0)
    expect(shown()).toHaveLength(1)
    widget.destroy()
  })

  test('timer, cart in EUR, page type, conversation and agents: the worked example, reply routed with its match', async () => {
    const { widget, clock, bubble, asked, events, root, stored } = widgetWith()
    history.replaceState(null, '', '/checkout')
    const example = rule('checkout-experts', {
      name: 'Help with a large checkout',
      priority: 10,
      trigger: { type: 'timer', after_s: 30 },
      conditions: {
        all: [
          { fact: 'page.type', op: 'eq', value: 'checkout' },
          { fact: 'cart.value', op: 'gt', value: { amount: 100, currency: 'EUR' } },
          { fact: 'conversation.active', op: 'is_false' },
          { fact: 'agents.available', op: 'gte', value: 1 },
        ],
      },
      actions: [
        {
          type: 'proactive_message',
          text: 'Any question about your order?',
          author: { name: 'Camille' },
        },
        { type: 'route', team: 'experts' },
      ],
      frequency: { per: 'visitor', max: 1, until: 'engaged' },
      schedule: {
        time_zone: 'Europe/Paris',
        windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '19:00' }],
      },
    })
    await widget.init({ rules: ruleSet([example], { time_zone: 'Europe/Paris' }) })
    await widget.page({ type: 'checkout' })
    await widget.track('add_to_cart', {
      currency: 'EUR',
      value: 120,
      items: [{ item_id: 'P-42', item_name: 'Plum vase', price: '120.00', quantity: 1 }],
    })
    clock.advance(29_999)
    await settle(10)
    // Nobody asked the server yet: availability is fetched when the rule is about to be evaluated.
    expect(asked()).toBe(0)
    expect(bubble()).toBeNull()
    clock.advance(1)
    await vi.waitFor(() => expect(bubble()).toBe('Any question about your order?'))
    expect(asked()).toBe(1)
    expect(root()?.querySelector('.proactive .who')?.textContent).toBe('Camille')

    // The visitor opens the chat from the message and replies: the conversation carries the match.
    root()?.querySelector<HTMLButtonElement>('.proactive-open')?.click()
    await vi.waitFor(() => expect(events).toContainEqual(['open', { source: 'proactive' }]))
    await sendFromPanel('Is delivery free?')
    await vi.waitFor(() => expect(posted('/conversations')).toHaveLength(1))
    const [body] = posted('/conversations') as Array<{ trigger: RuleMatch; context: unknown }>
    expect(body?.trigger).toMatchObject({
      rule_id: 'checkout-experts',
      rule_name: 'Help with a large checkout',
      trigger: { type: 'timer', after_s: 30 },
      explanation: { conditions: { kind: 'all', pass: true } },
    })
    expect(body?.context).toMatchObject({ cart: { value: 120, currency: 'EUR' } })
    await vi.waitFor(() =>
      expect(stored().state.rules['checkout-experts']).toMatchObject({
        seen: true,
        interacted: true,
        engaged: true,
      }),
    )
    widget.destroy()
  })

  test('agents online are asked only for rules that read them, kept a minute; a failure is unknown and explained', async () => {
    const { widget, clock, asked, shown, events, root } = widgetWith()
    const agents = { fact: 'agents.available', op: 'gte', value: 1 } as const
    const onEvent = (id: string, event: string, extra: Partial<Rule> = {}) =>
      rule(id, { trigger: { type: 'event', event }, ...extra })
    await widget.init({
      rules: ruleSet([
        onEvent('plain', 'Plain'),
        onEvent('staffed', 'Help', { conditions: agents }),
        onEvent('unstaffed', 'Help', { conditions: { not: agents } }),
      ]),
    })
    const ids = () => shown().map((p) => (p as { ruleId: string }).ruleId)
    await widget.track('Plain')
    expect(ids()).toEqual(['plain'])
    expect(asked()).toBe(0)
    await widget.track('Help')
    await vi.waitFor(() => expect(ids()).toEqual(['plain', 'staffed']))
    await widget.track('Help')
    await vi.waitFor(() => expect(ids()).toEqual(['plain', 'staffed', 'staffed']))
    expect(asked()).toBe(1)

    // A minute later the answer is stale, and the server fails: agents.available is unknown.
    server.handlers.availability = () => ({
      status: 503,
      json: { error: { code: 'internal', message: 'down' } },
    })
    clock.advance(60_000)
    await widget.track('Help')
    await vi.waitFor(() => expect(ids()).toEqual(['plain', 'staffed', 'staffed', 'unstaffed']))
    expect(asked()).toBe(2)
    expect(events.filter(([name]) => name === 'error')).toEqual([])
    // Why it fired travels with the conversation: the leaf failed because the fact is absent.
    root()?.querySelector<HTMLButtonElement>('.proactive-open')?.click()
    await vi.waitFor(() => expect(events).toContainEqual(['open', { source: 'proactive' }]))
    await sendFromPanel('Anyone there?')
    await vi.waitFor(() => expect(posted('/conversations')).toHaveLength(1))
    const [body] = posted('/conversations') as Array<{ trigger: RuleMatch }>
    expect(body?.trigger.explanation.conditions).toMatchObject({
      kind: 'not',
      pass: true,
      child: { kind: 'leaf', pass: false, reason: 'agents.available is absent' },
    })
    widget.destroy()
  })

  test('an open action opens the chat; a route-only rule gives its match to the conversation the visitor starts', async () => {
    const { widget, clock, events } = widgetWith()
    history.replaceState(null, '', '/faq')
    await widget.init({
      rules: ruleSet([
        rule('faq-route', { actions: [{ type: 'route', team: 'support' }] }),
        rule('big-cart', {
          trigger: { type: 'event', event: 'Checkout Started' },
          actions: [{ type: 'open' }],
        }),
      ]),
    })
    clock.advance(0)
    await widget.track('Checkout Started')
    await vi.waitFor(() => expect(events).toContainEqual(['open', { source: 'proactive' }]))
    expect(widget.isOpen()).toBe(true)
    await sendFromPanel('Hello')
    await vi.waitFor(() => expect(posted('/conversations')).toHaveLength(1))
    // The open action's match wins over the route's: it is what the visitor answered.
    expect(posted('/conversations')[0]).toMatchObject({ trigger: { rule_id: 'big-cart' } })
    widget.destroy()
  })

  test('a route holds until the visitor leaves the page', async () => {
    const { widget, clock } = widgetWith()
    history.replaceState(null, '', '/pricing')
    await widget.init({
      rules: ruleSet([
        rule('pricing-route', {
          trigger: { type: 'page_view', path: '/pricing' },
          actions: [{ type: 'route', team: 'sales' }],
        }),
      ]),
    })
    clock.advance(0)
    await widget.page({ url: 'https://shop.test/about' })
    clock.advance(0)
    await widget.open()
    await sendFromPanel('Hi')
    await vi.waitFor(() => expect(posted('/conversations')).toHaveLength(1))
    expect(posted('/conversations')[0]).not.toHaveProperty('trigger')
    widget.destroy()
  })

  test('events counted, visitor attributes and their trust: a verified claim unlocks a require_verified rule', async () => {
    server.handlers.identify = () => ({
      status: 200,
      json: { visitorId: 'v1', verified: { plan: 'gold' }, expiresAt: 2e9 },
    })
    const { widget, shown } = widgetWith()
    const gold = { fact: 'visitor.plan', op: 'eq', value: 'gold' } as const
    await widget.init({
      rules: ruleSet([
        rule('second-add', {
          trigger: { type: 'event', event: 'Product Added' },
          conditions: { fact: 'events.Product Added.count', op: 'gte', value: 2 },
        }),
        rule('vip', {
          trigger: { type: 'event', event: 'VIP' },
          conditions: gold,
          require_verified: true,
        }),
        rule('gold-page', { trigger: { type: 'event', event: 'Gold' }, conditions: gold }),
      ]),
    })
    await widget.track('Product Added', { product_id: '1' })
    expect(shown()).toEqual([])
    await widget.track('Product Added', { product_id: '2' })
    expect(shown()).toMatchObject([{ ruleId: 'second-add' }])
    await widget.set('visitor', { plan: 'gold' })
    await widget.track('Gold')
    await widget.track('VIP')
    expect(shown().map((p) => (p as { ruleId: string }).ruleId)).toEqual([
      'second-add',
      'gold-page',
    ])
    await widget.identify('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTEifQ.c2ln')
    await widget.track('VIP')
    expect(shown().map((p) => (p as { ruleId: string }).ruleId)).toEqual([
      'second-add',
      'gold-page',
      'vip',
    ])
    widget.destroy()
  })

  test('without personalization_storage the rule history stays in memory; granted, it is stored', async () => {
    const { widget, clock, data, shown } = widgetWith({ consent: 'required' })
    const key = storageKeys('demo', server.url).rules
    await widget.init({
      rules: ruleSet([rule('hello', { trigger: { type: 'event', event: 'Hi' } })]),
    })
    await widget.consent({ functionality_storage: 'granted' })
    clock.advance(0)
    await widget.track('Hi')
    expect(shown()).toHaveLength(1)
    expect(data.has(key)).toBe(false)
    await widget.consent({ personalization_storage: 'granted' })
    await widget.track('Hi')
    expect(JSON.parse(data.get(key) ?? '{}')).toMatchObject({
      state: { rules: { hello: { visitor: 2 } } },
    })
    await widget.consent({ personalization_storage: 'denied' })
    expect(data.has(key)).toBe(false)
    widget.destroy()
  })

  test('before consent no availability request is made: the fact is unknown', async () => {
    const { widget, asked, shown } = widgetWith({ consent: 'required' })
    await widget.init({
      rules: ruleSet([
        rule('staffed', {
          trigger: { type: 'event', event: 'Help' },
          conditions: { fact: 'agents.available', op: 'gte', value: 1 },
        }),
      ]),
    })
    await widget.track('Help')
    await settle(10)
    expect(asked()).toBe(0)
    expect(shown()).toEqual([])
    widget.destroy()
  })

  test('destroy leaves no listener and no timer behind', async () => {
    // Every listener added to the window or the document, until it is removed.
    const live = new Set<string>()
    const ids = new Map<unknown, number>()
    const id = (listener: unknown) => ids.get(listener) ?? ids.set(listener, ids.size).size - 1
    let added = 0
    for (const target of [window, document]) {
      const name = target === window ? 'window' : 'document'
      const add = target.addEventListener.bind(target)
      const remove = target.removeEventListener.bind(target)
      const capture = (options: unknown) =>
        typeof options === 'boolean'
          ? options
          : Boolean((options as AddEventListenerOptions)?.capture)
      vi.spyOn(target, 'addEventListener').mockImplementation((type, listener, options) => {
        added++
        live.add(`${name} ${type} ${id(listener)} ${capture(options)}`)
        add(type, listener, options)
      })
      vi.spyOn(target, 'removeEventListener').mockImplementation((type, listener, options) => {
        live.delete(`${name} ${type} ${id(listener)} ${capture(options)}`)
        remove(type, listener, options)
      })
    }
    const navigation = { addEventListener: vi.fn(), removeEventListener: vi.fn() }
    const { widget, clock, bubble } = widgetWith({ navigation: { navigation } })
    await widget.init({
      rules: ruleSet([
        rule('timer', { trigger: { type: 'timer', after_s: 30 } }),
        rule('idle', { trigger: { type: 'idle', after_s: 60 }, delay_s: 5 }),
        rule('now', {}),
      ]),
    })
    clock.advance(0)
    expect(bubble()).toBe('Hello from now')
    // Visibility, activity, exit intent, the bubble's Escape key.
    expect(added).toBeGreaterThan(8)
    expect(clock.pending()).toBeGreaterThan(0)
    widget.destroy()
    expect([...live]).toEqual([])
    expect(navigation.removeEventListener).toHaveBeenCalledTimes(
      navigation.addEventListener.mock.calls.length,
    )
    expect(clock.pending()).toBe(0)
    clock.advance(120_000)
    expect(bubble()).toBeNull()
  })
})
