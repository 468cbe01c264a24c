import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Condition, ConditionLeaf } from './condition.js'
import { decodeRule } from './decode-rules.js'
import { evaluateRule } from './evaluate-rule.js'
import type { ConditionExplanation, LeafExplanation } from './explanation.js'
import type { Facts } from './facts.js'
import { type Operator, operatorsByType } from './operators.js'
import type { Rule } from './rule.js'

const now = Date.parse('2024-04-02T10:00:00Z') // a Tuesday, 12:00 in Paris

function rule(conditions: Condition, extra: Partial<Rule> = {}): Rule {
  return {
    id: 'r',
    name: 'R',
    enabled: true,
    priority: 0,
    trigger: { type: 'page_view' },
    conditions,
    actions: [{ type: 'open' }],
    ...extra,
  }
}

function explain(condition: Condition, facts: Facts, extra: Partial<Rule> = {}) {
  return evaluateRule(rule(condition, extra), facts, now).reasons.conditions
}

function leafOf(node: ConditionExplanation): LeafExplanation {
  if (node.kind !== 'leaf') throw new Error(`expected a leaf, got ${node.kind}`)
  return node
}

type Scalar = string | number | boolean | { amount: number; currency: string }

// The reference semantics, written independently of the evaluator.
function reference(op: Operator, actual: Scalar | undefined, value: unknown): boolean {
  if (actual === undefined) return false
  if (op === 'exists') return true
  const comparable = (a: Scalar, b: unknown): boolean =>
    typeof a === 'object'
      ? typeof b === 'object' && b !== null && (b as { currency: string }).currency === a.currency
      : typeof a === typeof b
  const num = (v: unknown) =>
    typeof v === 'object' ? (v as { amount: number }).amount : (v as number)
  const eq = (a: Scalar, b: unknown) => comparable(a, b) && num(a) === num(b)
  const equal = (a: Scalar, b: unknown) => (typeof a === 'object' ? eq(a, b) : a === b)
  switch (op) {
    case 'is_true':
      return actual === true
    case 'is_false':
      return actual === false
    case 'eq':
      return comparable(actual, value) && equal(actual, value)
    case 'neq':
      return comparable(actual, value) && !equal(actual, value)
    case 'gt':
      return comparable(actual, value) && num(actual) > num(value)
    case 'gte':
      return comparable(actual, value) && num(actual) >= num(value)
    case 'lt':
      return comparable(actual, value) && num(actual) < num(value)
    case 'lte':
      return comparable(actual, value) && num(actual) <= num(value)
    case 'between': {
      const [lo, hi] = value as [unknown, unknown]
      return comparable(actual, lo) && num(lo) <= num(actual) && num(actual) <= num(hi)
    }
    case 'in':
    case 'not_in': {
      const list = (value as unknown[]).filter((v) => comparable(actual, v))
      if (list.length === 0) return false
      const found = list.some((v) => equal(actual, v))
      return op === 'in' ? found : !found
    }
    case 'contains':
      return typeof actual === 'string' && actual.includes(value as string)
    case 'starts_with':
      return typeof actual === 'string' && actual.startsWith(value as string)
    case 'ends_with':
      return typeof actual === 'string' && actual.endsWith(value as string)
    case 'matches':
      return typeof actual === 'string' && new RegExp(value as string).test(actual.slice(0, 256))
  }
}

const text = fc.string({ unit: fc.constantFrom('a', 'b', '/', 'A'), maxLength: 5 })
const number = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
)
const currency = fc.constantFrom('EUR', 'USD')
const money = fc.record({ amount: fc.integer({ min: 0, max: 4 }).map((n) => n * 50), currency })
const pattern = fc.constantFrom('^a', 'b$', 'a.b', '[ab]+', '^/a', 'A')

function operand(op: Operator, scalar: fc.Arbitrary<Scalar>, textual = scalar) {
  switch (op) {
    case 'exists':
    case 'is_true':
    case 'is_false':
      return fc.constant(undefined)
    case 'between':
      return fc
        .tuple(scalar, scalar)
        .filter(
          ([a, b]) => typeof a !== 'object' || (b as { currency: string }).currency === a.currency,
        )
        .map(([a, b]) => {
          const n = (v: Scalar) => (typeof v === 'object' ? v.amount : (v as number))
          return n(a) <= n(b) ? [a, b] : [b, a]
        })
    case 'in':
    case 'not_in':
      return fc.array(scalar, { minLength: 1, maxLength: 4 })
    case 'matches':
      return pattern
    case 'contains':
    case 'starts_with':
    case 'ends_with':
      return textual
    default:
      return scalar
  }
}

// A fact, a value of its type, and a valid leaf about it, for every fact type.
const factCases = [
  { fact: 'page.path', type: 'string', actual: text, scalar: text },
  { fact: 'visits', type: 'number', actual: number, scalar: number },
  { fact: 'cart.value', type: 'money', actual: money, scalar: money },
  { fact: 'conversation.active', type: 'bool', actual: fc.boolean(), scalar: fc.boolean() },
  {
    fact: 'device',
    type: 'enum',
    actual: fc.constantFrom('mobile', 'tablet', 'desktop'),
    scalar: fc.constantFrom('mobile', 'tablet', 'desktop'),
  },
  {
    fact: 'visitor.x',
    type: 'attribute',
    actual: fc.oneof(text, fc.integer({ min: -2, max: 2 }), fc.boolean()),
    scalar: fc.oneof(text, fc.integer({ min: -2, max: 2 }), fc.boolean()),
  },
] as const

function factsWith(fact: string, actual: unknown): Facts {
  switch (fact) {
    case 'page.path':
      return { page: { url: `https://shop${actual}`, path: actual as string } }
    case 'visits':
      return { visits: actual as number }
    case 'cart.value': {
      const m = actual as { amount: number; currency: string }
      return { cart: { value: m.amount, currency: m.currency, item_count: 1 } }
    }
    case 'conversation.active':
      return { conversation_active: actual as boolean }
    case 'device':
      return { device: actual as 'mobile' }
    default:
      return { visitor: { x: { value: actual as string, trust: 'verified' } } }
  }
}

const leafCase = fc.constantFrom(...factCases).chain((c) =>
  fc.constantFrom(...operatorsByType[c.type]).chain((op) => {
    const numeric = ['gt', 'gte', 'lt', 'lte', 'between'].includes(op)
    const scalar: fc.Arbitrary<Scalar> =
      c.type === 'attribute' && numeric ? fc.integer({ min: -2, max: 2 }) : c.scalar
    const textual: fc.Arbitrary<Scalar> = c.type === 'attribute' ? text : scalar
    return fc.record({
      fact: fc.constant(c.fact),
      op: fc.constant(op),
      value: operand(op, scalar, textual),
      actual: c.actual as fc.Arbitrary<Scalar>,
      absent: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    })
  }),
)

function toLeaf(c: { fact: string; op: Operator; value: unknown }): ConditionLeaf {
  return (
    c.value === undefined ? { fact: c.fact, op: c.op } : { fact: c.fact, op: c.op, value: c.value }
  ) as ConditionLeaf
}

describe('evaluateRule: operators', () => {
  it('property: every operator of every fact type agrees with the reference', () => {
    fc.assert(
      fc.property(leafCase, (c) => {
        const leaf = toLeaf(c)
        // Generated leaves are valid rules: the schema accepts them.
        expect(decodeRule(rule(leaf)).ok).toBe(true)
        const facts = c.absent ? {} : factsWith(c.fact, c.actual)
        const node = leafOf(explain(leaf, facts))
        expect(node.pass).toBe(reference(c.op, c.absent ? undefined : c.actual, c.value))
        expect(node.reason.length).toBeGreaterThan(0)
      }),
      { numRuns: 1000 },
    )
  })

  it('property: money never compares across currencies', () => {
    const op = fc.constantFrom(...operatorsByType.money.filter((o) => o !== 'exists'))
    fc.assert(
      fc.property(op, money, money, (o, actual, other) => {
        const expected = { ...other, currency: actual.currency === 'EUR' ? 'USD' : 'EUR' }
        const value = o === 'between' ? [expected, expected] : o === 'in' ? [expected] : expected
        const node = leafOf(
          explain(
            { fact: 'cart.value', op: o, value } as ConditionLeaf,
            factsWith('cart.value', actual),
          ),
        )
        expect(node.pass).toBe(false)
        expect(node.reason).toBe(`currency mismatch: ${actual.currency} vs ${expected.currency}`)
      }),
      { numRuns: 300 },
    )
  })

  it('explains a money comparison', () => {
    const leaf: ConditionLeaf = {
      fact: 'cart.value',
      op: 'gt',
      value: { amount: 100, currency: 'EUR' },
    }
    const cart = (value: number, currency = 'EUR') => ({ cart: { value, currency, item_count: 2 } })
    expect(explain(leaf, cart(120))).toEqual({
      kind: 'leaf',
      pass: true,
      fact: 'cart.value',
      op: 'gt',
      expected: { amount: 100, currency: 'EUR' },
      actual: { amount: 120, currency: 'EUR' },
      trust: 'host',
      reason: 'cart.value 120 EUR > 100 EUR',
    })
    expect(leafOf(explain(leaf, cart(80))).reason).toBe('cart.value 80 EUR not > 100 EUR')
    expect(leafOf(explain(leaf, cart(120, 'usd'))).reason).toBe('currency mismatch: USD vs EUR')
    // Amounts are compared as given, never rounded.
    expect(leafOf(explain(leaf, cart(100.000001))).pass).toBe(true)
    expect(leafOf(explain(leaf, { cart: { value: 120, item_count: 1 } })).reason).toContain(
      'no currency',
    )
    expect(leafOf(explain(leaf, { cart: null })).reason).toBe('cart.value is absent')
  })

  it('requires the trust a leaf asks for', () => {
    const leaf: ConditionLeaf = { fact: 'visitor.plan', op: 'eq', value: 'pro', trust: 'verified' }
    const host: Facts = { visitor: { plan: { value: 'pro', trust: 'host' } } }
    expect(leafOf(explain(leaf, host))).toMatchObject({
      pass: false,
      trust: 'host',
      reason: 'requires verified, got host',
    })
    const verified: Facts = { visitor: { plan: { value: 'pro', trust: 'verified' } } }
    expect(leafOf(explain(leaf, verified)).pass).toBe(true)
    const observed = { fact: 'visitor.plan', op: 'eq', value: 'pro', trust: 'host' } as const
    expect(leafOf(explain(observed, verified)).pass).toBe(true)
  })

  it('makes every visitor attribute need verified trust under require_verified', () => {
    const leaf: ConditionLeaf = { fact: 'visitor.plan', op: 'eq', value: 'pro' }
    const host: Facts = { visitor: { plan: { value: 'pro', trust: 'host' } }, visits: 3 }
    expect(leafOf(explain(leaf, host)).pass).toBe(true)
    expect(leafOf(explain(leaf, host, { require_verified: true })).reason).toBe(
      'requires verified, got host',
    )
    // Facts that are not visitor attributes keep their own trust.
    const visits: ConditionLeaf = { fact: 'visits', op: 'gte', value: 1 }
    expect(leafOf(explain(visits, host, { require_verified: true })).pass).toBe(true)
  })

  it('reads visitor attributes, event counts and teams through own properties only', () => {
    const facts: Facts = { visitor: {}, events: {}, agents_available_by_team: {} }
    for (const fact of ['visitor.toString', 'visitor.valueOf', 'visitor.hasOwnProperty'])
      expect(leafOf(explain({ fact, op: 'exists' }, facts)).pass).toBe(false)
    expect(leafOf(explain({ fact: 'events.toString.count', op: 'eq', value: 0 }, facts)).pass).toBe(
      true,
    )
    expect(
      leafOf(explain({ fact: 'agents.available.valueOf', op: 'eq', value: 0 }, facts)).pass,
    ).toBe(true)
  })

  it('treats a type mismatch on a visitor attribute as a failure, with the reason', () => {
    const facts: Facts = { visitor: { age: { value: '42', trust: 'host' } } }
    expect(leafOf(explain({ fact: 'visitor.age', op: 'gt', value: 40 }, facts))).toMatchObject({
      pass: false,
      reason: 'type mismatch: string vs number',
    })
  })

  it('truncates long values in explanations', () => {
    const path = `/${'x'.repeat(500)}`
    const node = leafOf(
      explain({ fact: 'page.path', op: 'starts_with', value: '/x' }, { page: { url: path, path } }),
    )
    expect(node.pass).toBe(true)
    expect(typeof node.actual === 'string' && node.actual.length).toBe(65)
    expect(node.reason.length).toBeLessThanOrEqual(160)
  })

  it('reads matches on the first characters only, case-insensitively with flags i', () => {
    const long = `${'a'.repeat(300)}Z`
    const facts: Facts = { page: { url: long, path: long } }
    expect(leafOf(explain({ fact: 'page.path', op: 'matches', value: 'Z$' }, facts)).pass).toBe(
      false,
    )
    const path = { page: { url: '/CHECKOUT', path: '/CHECKOUT' } }
    expect(
      leafOf(explain({ fact: 'page.path', op: 'matches', value: '^/checkout' }, path)).pass,
    ).toBe(false)
    expect(
      leafOf(explain({ fact: 'page.path', op: 'matches', value: '^/checkout', flags: 'i' }, path))
        .pass,
    ).toBe(true)
  })
})

// Condition trees over a fixed set of facts, for the combinator laws.
const lawFacts: Facts = {
  visits: 3,
  device: 'mobile',
  page: { url: 'https://shop/a', path: '/a' },
  conversation_active: false,
  cart: { value: 120, currency: 'EUR', item_count: 2 },
}
const lawLeaf = fc.constantFrom<ConditionLeaf>(
  { fact: 'visits', op: 'gt', value: 2 },
  { fact: 'visits', op: 'lt', value: 2 },
  { fact: 'device', op: 'eq', value: 'mobile' },
  { fact: 'page.path', op: 'starts_with', value: '/b' },
  { fact: 'conversation.active', op: 'is_false' },
  { fact: 'cart.value', op: 'gt', value: { amount: 100, currency: 'USD' } },
  { fact: 'language', op: 'exists' },
)
const tree: fc.Arbitrary<Condition> = fc.letrec<{ c: Condition }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    lawLeaf,
    fc.array(tie('c'), { maxLength: 3 }).map((all) => ({ all })),
    fc.array(tie('c'), { maxLength: 3 }).map((any) => ({ any })),
    tie('c').map((c) => ({ not: c })),
  ),
})).c
const pass = (c: Condition) => explain(c, lawFacts).pass

describe('evaluateRule: combinators', () => {
  it('all([]) is true and any([]) is false', () => {
    expect(explain({ all: [] }, {})).toMatchObject({ pass: true, reason: 'no conditions' })
    expect(explain({ any: [] }, {})).toMatchObject({ pass: false, reason: 'no alternatives' })
  })

  it('property: not(not c) == c', () => {
    fc.assert(
      fc.property(tree, (c) => {
        expect(pass({ not: { not: c } })).toBe(pass(c))
      }),
      { numRuns: 300 },
    )
  })

  it('property: De Morgan', () => {
    fc.assert(
      fc.property(fc.array(tree, { maxLength: 4 }), (cs) => {
        expect(pass({ not: { all: cs } })).toBe(pass({ any: cs.map((c) => ({ not: c })) }))
        expect(pass({ not: { any: cs } })).toBe(pass({ all: cs.map((c) => ({ not: c })) }))
      }),
      { numRuns: 300 },
    )
  })

  it('property: all and any agree with every and some, and explain every child', () => {
    fc.assert(
      fc.property(fc.array(tree, { maxLength: 4 }), (cs) => {
        const all = explain({ all: cs }, lawFacts)
        const any = explain({ any: cs }, lawFacts)
        expect(all.pass).toBe(cs.every(pass))
        expect(any.pass).toBe(cs.some(pass))
        expect(all.kind === 'all' && all.children.length).toBe(cs.length)
      }),
      { numRuns: 300 },
    )
  })
})

describe('evaluateRule: rule level', () => {
  const base = rule(
    { fact: 'visits', op: 'gte', value: 1 },
    { trigger: { type: 'page_view', path: '/checkout/**' } },
  )

  it('explains the trigger, the schedule and the conditions', () => {
    const verdict = evaluateRule(
      {
        ...base,
        schedule: {
          time_zone: 'Europe/Paris',
          windows: [{ days: ['tue'], from: '09:00', to: '19:00' }],
        },
      },
      { visits: 2 },
      now,
      { type: 'page_view', path: '/checkout/pay' },
    )
    expect(verdict.matched).toBe(true)
    expect(verdict.reasons).toMatchObject({
      enabled: true,
      trigger: { pass: true, reason: 'a page view of /checkout/pay matches /checkout/**' },
      schedule: { pass: true, reason: 'tue 12:00 Europe/Paris is within tue 09:00-19:00' },
      conditions: { pass: true, reason: 'visits 2 >= 1' },
    })
  })

  it('does not match when disabled, off-trigger or out of schedule', () => {
    expect(evaluateRule({ ...base, enabled: false }, { visits: 2 }, now).matched).toBe(false)
    const other = evaluateRule(base, { visits: 2 }, now, { type: 'event', event: 'Product Added' })
    expect(other.reasons.trigger).toEqual({
      pass: false,
      reason: 'waits for a page view of /checkout/**, got event "Product Added"',
    })
    const closed = {
      ...base,
      schedule: {
        time_zone: 'UTC',
        windows: [{ days: ['sat' as const], from: '00:00', to: '24:00' }],
      },
    }
    expect(evaluateRule(closed, { visits: 2 }, now).matched).toBe(false)
  })

  it('reads business hours from the site, then from the rule, and now.* in the rule zone', () => {
    const open = rule({ fact: 'business_hours', op: 'is_true' })
    const hours = {
      time_zone: 'Europe/Paris',
      windows: [{ days: ['tue' as const], from: '11:00', to: '13:00' }],
    }
    expect(evaluateRule(open, { business_hours: hours }, now).matched).toBe(true)
    expect(evaluateRule(open, {}, now).reasons.conditions.reason).toBe('business_hours is absent')
    expect(evaluateRule({ ...open, schedule: hours }, {}, now).matched).toBe(true)
    const hour = rule({ fact: 'now.hour', op: 'eq', value: 12 }, { schedule: hours })
    expect(evaluateRule(hour, {}, now).matched).toBe(true)
    expect(evaluateRule(rule({ fact: 'now.hour', op: 'eq', value: 10 }), {}, now).matched).toBe(
      true,
    )
    expect(
      evaluateRule(rule({ fact: 'now.weekday', op: 'eq', value: 'tue' }), {}, now).matched,
    ).toBe(true)
  })
})
