import { evaluateRule, type Rule } from '@causette/events'
import { describe, expect, test } from 'vitest'
import { type FactSources, ruleFacts } from './rule-facts.js'

const now = Date.parse('2024-04-02T08:00:00Z')

function sources(extra: Partial<FactSources> = {}): FactSources {
  return {
    context: {
      visitor: { plan: 'silver', orders: 3 },
      observed: { device: 'mobile', language: 'fr-FR', time_zone: 'Europe/Paris' },
      page_view: { url: 'https://shop.test/checkout', path: '/checkout', type: 'checkout' },
      cart: { currency: 'EUR', value: 120.5, item_count: 2, items: [], updated_at: now },
      events: { 'Product Added': 2 },
    },
    verified: {},
    conversationActive: false,
    visit: { visits: 3, startedAt: now - 90_000 },
    agentsOnline: { total: 2, teams: { experts: 1 } },
    ruleSet: { time_zone: 'Europe/Paris' },
    now,
    ...extra,
  }
}

function passes(fact: string, op: string, value: unknown, from = sources()): boolean {
  const rule = {
    id: 'r',
    name: 'r',
    enabled: true,
    priority: 0,
    trigger: { type: 'page_view' },
    conditions: { fact, op, value },
    actions: [{ type: 'open' }],
  } as Rule
  return evaluateRule(rule, ruleFacts(from), now).matched
}

describe('ruleFacts', () => {
  test('maps the context to the facts rules read', () => {
    expect(ruleFacts(sources())).toEqual({
      page: {
        url: 'https://shop.test/checkout',
        path: '/checkout',
        title: undefined,
        referrer: undefined,
        type: 'checkout',
      },
      cart: { value: 120.5, currency: 'EUR', item_count: 2 },
      cart_trust: 'host',
      visitor: { plan: { value: 'silver', trust: 'host' }, orders: { value: 3, trust: 'host' } },
      events: { 'Product Added': 2 },
      time_on_site_s: 90,
      visits: 3,
      device: 'mobile',
      language: 'fr-FR',
      conversation_active: false,
      agents_available: 2,
      agents_available_by_team: { experts: 1 },
      business_hours: null,
      time_zone: 'Europe/Paris',
    })
  })

  test('the cart is money in its currency; page type, counts, device and agents compare', () => {
    expect(passes('cart.value', 'gt', { amount: 100, currency: 'EUR' })).toBe(true)
    expect(passes('cart.value', 'gt', { amount: 100, currency: 'USD' })).toBe(false)
    expect(passes('page.type', 'eq', 'checkout')).toBe(true)
    expect(passes('events.Product Added.count', 'gte', 2)).toBe(true)
    expect(passes('events.Order Completed.count', 'eq', 0)).toBe(true)
    expect(passes('device', 'eq', 'mobile')).toBe(true)
    expect(passes('visits', 'gte', 3)).toBe(true)
    expect(passes('time_on_site_s', 'gte', 90)).toBe(true)
    expect(passes('agents.available', 'gte', 1)).toBe(true)
    expect(passes('agents.available.experts', 'gte', 1)).toBe(true)
    expect(passes('agents.available.sales', 'gte', 1)).toBe(false)
    expect(passes('agents.available', 'gte', 1, sources({ agentsOnline: undefined }))).toBe(false)
    expect(passes('conversation.active', 'eq', false)).toBe(true)
  })

  test('verified claims override what the page set, and keep their trust', () => {
    const facts = ruleFacts(sources({ verified: { plan: 'gold', email: 'a@b.test', gone: null } }))
    expect(facts.visitor).toEqual({
      plan: { value: 'gold', trust: 'verified' },
      orders: { value: 3, trust: 'host' },
      email: { value: 'a@b.test', trust: 'verified' },
    })
  })

  test('a claim named __proto__ is an own fact, never a prototype', () => {
    const verified = JSON.parse('{"__proto__": "x"}') as Record<string, string>
    const facts = ruleFacts(sources({ verified }))
    expect(Object.getPrototypeOf(facts.visitor)).toBe(Object.prototype)
    expect(Object.hasOwn(facts.visitor ?? {}, '__proto__')).toBe(true)
  })

  test('nothing known yet: no page, no cart, zero counts, unknown device', () => {
    const facts = ruleFacts(sources({ context: {} }))
    expect(facts).toMatchObject({ page: null, cart: null, events: {}, visitor: {} })
    expect(facts.device).toBeUndefined()
  })
})
