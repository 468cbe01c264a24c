import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import * as z from 'zod/mini'
import {
  applyContextUpdate,
  ContextUpdate,
  ContextValues,
  ContextView,
  ConversationStart,
  contextLimits,
  contextUpdateOf,
  decodeContext,
  emptyContextView,
  IdentifyRequest,
  IdentifyResult,
} from './context.js'
import type { TrustLevel } from './trust-level.js'

const now = 1_700_000_000_000

function viewWith(visitor: ContextView['visitor']): ContextView {
  return { ...emptyContextView(), visitor }
}

describe('ContextUpdate schema', () => {
  test('accepts every part, with null to delete', () => {
    const update = {
      visitor: { plan: 'gold', vip: true, orders: 3, nickname: null },
      session: { campaign: 'spring' },
      page: { section: 'shoes' },
      conversation: { topic: 'returns' },
      observed: { device: 'mobile' },
      cart: null,
      page_view: { url: 'https://shop.example/p/1', path: '/p/1' },
      events: { 'Product Added': 2, view_item: 5 },
    }
    expect(decodeContext(ContextUpdate, update)).toEqual({ ok: true, value: update })
    expect(decodeContext(ContextUpdate, {})).toEqual({ ok: true, value: {} })
  })

  test.each([
    [{ visitor: { '1abc': 1 } }, 'invalid_argument', 'visitor.1abc'],
    [{ visitor: { constructor: 1 } }, 'invalid_argument', 'visitor.constructor: reserved key'],
    [{ visitor: { prototype: 1 } }, 'invalid_argument', 'visitor.prototype: reserved key'],
    [JSON.parse('{"visitor":{"__proto__":{"x":1}}}'), 'invalid_argument', '__proto__'],
    [JSON.parse('{"events":{"__proto__":1}}'), 'invalid_argument', '__proto__'],
    [{ visitor: { a: { nested: true } } }, 'invalid_argument', 'visitor.a'],
    [{ visitor: { a: [1] } }, 'invalid_argument', 'visitor.a'],
    [{ visiter: { a: 1 } }, 'invalid_argument', 'unknown key visiter'],
    [{ events: { x: -1 } }, 'invalid_argument', 'events.x: at least 0'],
    [{ events: { x: 1.5 } }, 'invalid_argument', 'events.x'],
    [{ events: { '': 1 } }, 'invalid_argument', 'events.'],
    ['nope', 'invalid_argument', 'expected object'],
  ])('rejects %j as %s', (input, code, message) => {
    const decoded = decodeContext(ContextUpdate, input)
    expect(decoded.ok).toBe(false)
    if (decoded.ok) return
    expect(decoded.error.code).toBe(code)
    expect(decoded.error.message).toContain(message)
  })

  test('every limit is a typed limit_exceeded error naming the path', () => {
    const keys = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))
    const cases: Array<[unknown, string]> = [
      [{ visitor: keys(contextLimits.keysPerScope + 1) }, 'visitor: at most 50 keys'],
      [
        { observed: { a: 'x'.repeat(contextLimits.stringValueMax + 1) } },
        'observed.a: at most 512',
      ],
      [{ visitor: { [`a${'b'.repeat(contextLimits.keyMaxLength)}`]: 1 } }, 'at most 64 characters'],
      [{ events: keys(contextLimits.eventNamesMax + 1) }, 'events: at most 100 keys'],
      [{ events: { ['e'.repeat(contextLimits.eventNameMaxLength + 1)]: 1 } }, 'events.'],
      [{ events: { x: contextLimits.eventCountMax + 1 } }, 'events.x: at most'],
      [
        {
          // A valid cart (100 lines at most) that is still too big to travel as context.
          cart: {
            value: 0,
            item_count: 60,
            updated_at: 0,
            items: Array.from({ length: 60 }, (_, i) => ({
              product_id: `p${i}`,
              name: 'x'.repeat(400),
              quantity: 1,
            })),
          },
        },
        'cart: at most 16384 bytes',
      ],
      [
        {
          visitor: Object.fromEntries(
            Array.from({ length: 40 }, (_, i) => [`k${i}`, 'x'.repeat(500)]),
          ),
          session: Object.fromEntries(
            Array.from({ length: 40 }, (_, i) => [`k${i}`, 'x'.repeat(500)]),
          ),
        },
        'at most 32768 bytes',
      ],
    ]
    for (const [input, message] of cases) {
      const decoded = decodeContext(ContextUpdate, input)
      expect(decoded, message).toMatchObject({ ok: false, error: { code: 'limit_exceeded' } })
      if (!decoded.ok) expect(decoded.error.message).toContain(message)
    }
    expect(decodeContext(ContextValues, { [`a${'b'.repeat(63)}`]: 1 }).ok).toBe(true)
    expect(decodeContext(ContextValues, { [`a${'b'.repeat(64)}`]: 1 }).ok).toBe(false)
  })

  test('hostile input never throws: cycles, BigInt, deep nesting, __proto__ anywhere', () => {
    const cyclic: Record<string, unknown> = { value: 1 }
    cyclic.self = cyclic
    let deep: Record<string, unknown> = {}
    for (let i = 0; i < 10_000; i++) deep = { d: deep }
    const inputs: unknown[] = [
      { cart: cyclic },
      { page_view: { n: 1n } },
      { cart: deep },
      { visitor: cyclic },
      JSON.parse('{"cart":{"items":[{"__proto__":{"polluted":true}}]}}'),
      JSON.parse('{"__proto__":{"visitor":{}}}'),
    ]
    for (const input of inputs) {
      const decoded = decodeContext(ContextUpdate, input)
      expect(decoded.ok).toBe(false)
    }
    expect(decodeContext(ContextUpdate, inputs[4])).toEqual({
      ok: false,
      error: { code: 'invalid_argument', message: 'cart.items.0.__proto__: reserved key' },
    })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  test('every wire schema has a JSON Schema, for what is sent and what is answered', () => {
    const schemas = [ContextUpdate, ContextView, ConversationStart, IdentifyRequest, IdentifyResult]
    for (const schema of schemas) {
      for (const io of ['input', 'output'] as const) {
        expect(z.toJSONSchema(schema, { io })).toMatchObject({ type: 'object' })
      }
    }
    const values = z.toJSONSchema(ContextValues, { io: 'input' })
    expect(values).toMatchObject({ propertyNames: { maxLength: contextLimits.keyMaxLength } })
  })

  test('conversation start and identify bodies', () => {
    expect(decodeContext(ConversationStart, {}).ok).toBe(true)
    expect(
      decodeContext(ConversationStart, {
        context: { page: { a: 1 } },
        trigger: {
          rule_id: 'r1',
          rule_name: 'Rule one',
          trigger: { type: 'timer' as const, after_s: 30 },
          matched_at: 1_700_000_000_000,
          explanation: {
            enabled: true,
            conditions: {
              kind: 'all' as const,
              pass: true,
              reason: 'all conditions hold',
              children: [],
            },
          },
        },
      }).ok,
    ).toBe(true)
    expect(decodeContext(ConversationStart, { trigger: 'x' }).ok).toBe(false)
    expect(decodeContext(IdentifyRequest, { token: '' }).ok).toBe(false)
    expect(decodeContext(IdentifyRequest, { token: 'x'.repeat(8 * 1024 + 1) })).toMatchObject({
      ok: false,
      error: { code: 'limit_exceeded' },
    })
  })
})

describe('applyContextUpdate', () => {
  test('a verified key finds room in a scope that page scripts filled: the oldest host value goes', () => {
    const full: Record<string, string> = {}
    for (let i = 0; i < contextLimits.keysPerScope; i++) full[`k${i}`] = 'host'
    let { view } = applyContextUpdate(emptyContextView(), { visitor: full }, 'host', now)
    view = applyContextUpdate(view, { visitor: { k7: 'newer' } }, 'host', now + 1).view
    // Host keys still cannot grow the scope.
    expect(applyContextUpdate(view, { visitor: { extra: 1 } }, 'host', now + 2).rejected).toEqual([
      { scope: 'visitor', key: 'extra', reason: 'limit_exceeded' },
    ])
    const signed = applyContextUpdate(view, { visitor: { email: 'a@b.c' } }, 'verified', now + 3)
    expect(signed.rejected).toEqual([])
    expect(Object.keys(signed.view.visitor)).toHaveLength(contextLimits.keysPerScope)
    expect(signed.view.visitor.email).toMatchObject({ value: 'a@b.c', trust: 'verified' })
    expect(Object.hasOwn(signed.view.visitor, 'k0')).toBe(false)
    expect(Object.hasOwn(signed.view.visitor, 'k7')).toBe(true)
    // A scope full of verified values refuses even a verified key.
    const allVerified: Record<string, string> = {}
    for (let i = 0; i < contextLimits.keysPerScope; i++) allVerified[`v${i}`] = 'x'
    const sealed = applyContextUpdate(emptyContextView(), { visitor: allVerified }, 'verified', now)
    expect(
      applyContextUpdate(sealed.view, { visitor: { more: 1 } }, 'verified', now).rejected,
    ).toEqual([{ scope: 'visitor', key: 'more', reason: 'limit_exceeded' }])
  })

  test('labels scope keys with the given trust and observed keys as observed', () => {
    const { view, rejected } = applyContextUpdate(
      emptyContextView(),
      { visitor: { plan: 'gold' }, observed: { device: 'mobile' }, session: { utm: 'x' } },
      'host',
      now,
    )
    expect(rejected).toEqual([])
    expect(view.visitor).toEqual({ plan: { value: 'gold', trust: 'host', updated_at: now } })
    expect(view.observed).toEqual({
      device: { value: 'mobile', trust: 'observed', updated_at: now },
    })
    expect(view.session.utm?.trust).toBe('host')
  })

  test('a verified value is never replaced or deleted by a host value; the rest applies', () => {
    const start = viewWith({ email: { value: 'a@shop.example', trust: 'verified', updated_at: 1 } })
    const { view, rejected } = applyContextUpdate(
      start,
      { visitor: { email: 'evil@x.example', plan: 'gold' } },
      'host',
      now,
    )
    expect(view.visitor.email).toEqual({
      value: 'a@shop.example',
      trust: 'verified',
      updated_at: 1,
    })
    expect(view.visitor.plan?.value).toBe('gold')
    expect(rejected).toEqual([{ scope: 'visitor', key: 'email', reason: 'weaker_trust' }])
    const deleting = applyContextUpdate(start, { visitor: { email: null } }, 'host', now)
    expect(deleting.view.visitor.email?.value).toBe('a@shop.example')
    expect(deleting.rejected).toHaveLength(1)
    // The server API (verified) may replace and delete it.
    const server = applyContextUpdate(start, { visitor: { email: null } }, 'verified', now)
    expect(server.view.visitor).toEqual({})
  })

  test('verified replaces host; host replaces host; the input view is untouched', () => {
    const start = viewWith({ plan: { value: 'free', trust: 'host', updated_at: 1 } })
    const frozen = structuredClone(start)
    const verified = applyContextUpdate(start, { visitor: { plan: 'gold' } }, 'verified', now)
    expect(verified.view.visitor.plan).toEqual({
      value: 'gold',
      trust: 'verified',
      updated_at: now,
    })
    const host = applyContextUpdate(start, { visitor: { plan: 'pro' } }, 'host', now)
    expect(host.view.visitor.plan?.value).toBe('pro')
    expect(start).toEqual(frozen)
  })

  test('keys such as toString are ordinary keys, not the prototype', () => {
    const { view } = applyContextUpdate(
      emptyContextView(),
      { visitor: { toString: 'x', hasOwnProperty: null, valueOf: 1 } },
      'host',
      now,
    )
    expect(Object.keys(view.visitor).sort()).toEqual(['toString', 'valueOf'])
    expect(view.visitor.toString).toEqual({ value: 'x', trust: 'host', updated_at: now })
  })

  test('scopes and event names stay within their limits; refused keys are reported', () => {
    const full = Object.fromEntries(
      Array.from({ length: contextLimits.keysPerScope }, (_, i) => [`k${i}`, i]),
    )
    const first = applyContextUpdate(emptyContextView(), { page: full }, 'host', now)
    const more = applyContextUpdate(first.view, { page: { extra: 1, k0: 'changed' } }, 'host', now)
    expect(Object.keys(more.view.page)).toHaveLength(contextLimits.keysPerScope)
    expect(more.view.page.k0?.value).toBe('changed')
    expect(more.rejected).toEqual([{ scope: 'page', key: 'extra', reason: 'limit_exceeded' }])
    // Deleting makes room again.
    const room = applyContextUpdate(more.view, { page: { k1: null, extra: 1 } }, 'host', now)
    expect(room.rejected).toEqual([])
    expect(room.view.page.extra?.value).toBe(1)

    const events = Object.fromEntries(
      Array.from({ length: contextLimits.eventNamesMax }, (_, i) => [`e${i}`, 1]),
    )
    const counted = applyContextUpdate(emptyContextView(), { events }, 'host', now)
    const over = applyContextUpdate(counted.view, { events: { e0: 7, new: 1 } }, 'host', now)
    expect(over.view.events.e0).toBe(7)
    expect(over.view.events.new).toBeUndefined()
    expect(over.rejected).toEqual([{ scope: 'events', key: 'new', reason: 'limit_exceeded' }])
  })

  test('snapshots are replaced; a null cart empties it', () => {
    const cart = { value: 120, currency: 'EUR', item_count: 1, items: [], updated_at: now }
    const withCart = applyContextUpdate(emptyContextView(), { cart }, 'host', now).view
    expect(withCart.cart).toEqual(cart)
    expect(applyContextUpdate(withCart, {}, 'host', now).view.cart).toEqual(cart)
    expect(applyContextUpdate(withCart, { cart: null }, 'host', now).view.cart).toBeNull()
  })

  test('contextUpdateOf carries over host and observed facts, never verified ones', () => {
    const from: ContextView = {
      ...emptyContextView(),
      visitor: {
        email: { value: 'x@y.example', trust: 'verified', updated_at: 1 },
        plan: { value: 'gold', trust: 'host', updated_at: 1 },
      },
      observed: { device: { value: 'mobile', trust: 'observed', updated_at: 1 } },
      events: { view_item: 3 },
    }
    const update = contextUpdateOf(from, 'host')
    expect(update.visitor).toEqual({ plan: 'gold' })
    expect(update.observed).toEqual({ device: 'mobile' })
    expect(update.events).toEqual({ view_item: 3 })
    expect(decodeContext(ContextUpdate, update).ok).toBe(true)
  })
})

describe('applyContextUpdate properties', () => {
  const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/)
  const value = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null))
  const values = fc.dictionary(key, value, { maxKeys: 60 })
  const trust = fc.constantFrom<TrustLevel>('observed', 'host', 'verified')
  const update = fc.record(
    {
      visitor: values,
      session: values,
      observed: values,
      events: fc.dictionary(key, fc.nat(1000), { maxKeys: 120 }),
    },
    { requiredKeys: [] },
  )
  const updates = fc.array(fc.tuple(update, trust), { maxLength: 6 })

  const run = (steps: Array<[ContextUpdate, TrustLevel]>) => {
    let view = emptyContextView()
    for (const [u, t] of steps) view = applyContextUpdate(view, u, t, now).view
    return view
  }

  test('host and observed updates never change a verified fact', () => {
    fc.assert(
      fc.property(updates, fc.array(update, { maxLength: 4 }), (setup, attacks) => {
        const before = run(setup)
        let after = before
        for (const u of attacks) after = applyContextUpdate(after, u, 'host', now + 1).view
        for (const [k, entry] of Object.entries(before.visitor)) {
          if (entry.trust === 'verified') expect(after.visitor[k]).toEqual(entry)
        }
      }),
      { numRuns: 300 },
    )
  })

  test('no scope ever holds more than the limit of keys or event names', () => {
    fc.assert(
      fc.property(updates, (steps) => {
        const view = run(steps)
        for (const part of ['visitor', 'session', 'observed'] as const) {
          expect(Object.keys(view[part]).length).toBeLessThanOrEqual(contextLimits.keysPerScope)
        }
        expect(Object.keys(view.events).length).toBeLessThanOrEqual(contextLimits.eventNamesMax)
        expect(decodeContext(ContextView, view).ok).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  test('applying an update twice is the same as once (retries are harmless)', () => {
    fc.assert(
      fc.property(updates, update, trust, (setup, u, t) => {
        const once = applyContextUpdate(run(setup), u, t, now).view
        expect(applyContextUpdate(once, u, t, now).view).toEqual(once)
      }),
      { numRuns: 300 },
    )
  })

  test('every key of an update is either applied or reported', () => {
    fc.assert(
      fc.property(updates, update, trust, (setup, u, t) => {
        const start = run(setup)
        const { view, rejected } = applyContextUpdate(start, u, t, now)
        const refused = new Set(rejected.map((r) => `${r.scope}.${r.key}`))
        for (const part of ['visitor', 'session', 'observed'] as const) {
          for (const [k, v] of Object.entries(u[part] ?? {})) {
            if (refused.has(`${part}.${k}`)) {
              expect(view[part][k]).toEqual(start[part][k])
            } else if (v === null) {
              expect(Object.hasOwn(view[part], k)).toBe(false)
            } else {
              expect(view[part][k]?.value).toBe(v)
            }
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})
