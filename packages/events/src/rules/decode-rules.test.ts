import { describe, expect, it } from 'vitest'
import * as z from 'zod/mini'
import { decodeRule, decodeRuleSet } from './decode-rules.js'
import { RuleMatch } from './explanation.js'
import { RuleSet } from './rule.js'
import { ruleLimits } from './rule-limits.js'
import { RuleState } from './rule-state.js'

const leaf = { fact: 'page.path', op: 'starts_with', value: '/checkout' }

function rule(overrides: Record<string, unknown> = {}) {
  return {
    id: 'checkout-help',
    name: 'Checkout help',
    enabled: true,
    priority: 1,
    trigger: { type: 'page_view' },
    conditions: { all: [leaf] },
    actions: [{ type: 'open' }],
    ...overrides,
  }
}

function refused(input: unknown) {
  const result = decodeRule(input)
  if (result.ok) throw new Error('expected the rule to be refused')
  return result.error
}

function nest(depth: number): unknown {
  let condition: unknown = leaf
  for (let i = 1; i < depth; i++) condition = i % 2 ? { not: condition } : { all: [condition] }
  return condition
}

describe('decodeRule', () => {
  it('accepts a well-formed rule and normalises money', () => {
    const result = decodeRule(
      rule({
        conditions: {
          any: [
            { fact: 'cart.value', op: 'gt', value: { amount: 100, currency: 'eur' } },
            {
              not: { fact: 'visitor.plan', op: 'in', value: ['free', 'trial'], trust: 'verified' },
            },
            {
              fact: 'page.url',
              op: 'matches',
              value: '^https://shop\\.example/(?:fr|de)/',
              flags: 'i',
            },
          ],
        },
        delay_s: 5,
        frequency: { per: 'day', max: 2, until: 'engaged' },
        schedule: {
          time_zone: 'Europe/Paris',
          windows: [{ days: ['mon', 'fri'], from: '22:00', to: '02:00' }],
        },
      }),
    )
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(JSON.stringify(result.value)).toContain('"currency":"EUR"')
  })

  it.each([
    ['visitor.__proto__', 'conditions.all.0.fact'],
    ['visitor.constructor', 'conditions.all.0.fact'],
    ['events.prototype.count', 'conditions.all.0.fact'],
    ['agents.available.__proto__', 'conditions.all.0.fact'],
    ['page.__proto__', 'conditions.all.0.fact'],
  ])('refuses the path %s', (fact, path) => {
    const error = refused(rule({ conditions: { all: [{ fact, op: 'exists' }] } }))
    expect(error).toMatchObject({ code: 'invalid_argument', path })
  })

  it('refuses __proto__ as a JSON key (own property from JSON.parse)', () => {
    const input = JSON.parse(
      '{"id":"a","name":"a","enabled":true,"priority":0,"trigger":{"type":"exit_intent"},"conditions":{"all":[]},"actions":[{"type":"open"}],"__proto__":{"enabled":false}}',
    )
    expect(refused(input).code).toBe('invalid_argument')
    expect(({} as Record<string, unknown>).enabled).toBeUndefined()
  })

  it.each(['constructor', 'prototype', '__proto__', 'has space', ''])(
    'refuses the rule id %j',
    (id) => {
      expect(refused(rule({ id }))).toMatchObject({ code: 'invalid_argument', path: 'id' })
    },
  )

  it('refuses function values anywhere', () => {
    expect(refused(rule({ priority: () => 1 })).path).toBe('priority')
    const error = refused(
      rule({ conditions: { all: [{ fact: 'visits', op: 'gt', value: () => 1 }] } }),
    )
    expect(error).toMatchObject({ code: 'invalid_argument', path: 'conditions.all.0.value' })
    expect(refused(rule({ actions: [{ type: 'open', run: () => 1 }] })).path).toBe('actions.0')
  })

  it('refuses an unknown operator, naming its path', () => {
    const error = refused(
      rule({ conditions: { any: [leaf, { fact: 'visits', op: 'function', value: 1 }] } }),
    )
    expect(error).toMatchObject({ code: 'invalid_argument', path: 'conditions.any.1.op' })
  })

  it.each([
    [{ fact: 'page.path', op: 'gt', value: 3 }, 'not allowed for page.path (string)'],
    [{ fact: 'cart.value', op: 'contains', value: 'x' }, 'not allowed for cart.value (money)'],
    [
      { fact: 'conversation.active', op: 'gt', value: 1 },
      'not allowed for conversation.active (bool)',
    ],
    [{ fact: 'device', op: 'matches', value: 'mob' }, 'not allowed for device (enum)'],
    [{ fact: 'visits', op: 'starts_with', value: '1' }, 'not allowed for visits (number)'],
  ])('refuses an operator not allowed for the fact type: %j', (condition, message) => {
    const error = refused(rule({ conditions: { not: condition } }))
    expect(error.code).toBe('invalid_argument')
    expect(error.path).toBe('conditions.not.op')
    expect(error.message).toContain(message)
  })

  it.each([
    [{ fact: 'cart.value', op: 'gt', value: 100 }, 'expected a money'],
    [{ fact: 'visits', op: 'gt', value: '3' }, 'expected a number'],
    [{ fact: 'device', op: 'eq', value: 'watch' }, 'one of mobile, tablet, desktop'],
    [{ fact: 'visits', op: 'between', value: [5, 1] }, 'low is above high'],
    [
      {
        fact: 'cart.value',
        op: 'between',
        value: [
          { amount: 1, currency: 'EUR' },
          { amount: 2, currency: 'USD' },
        ],
      },
      'two currencies',
    ],
    [{ fact: 'page.type', op: 'in', value: [] }, 'non-empty list'],
    [{ fact: 'conversation.active', op: 'is_true', value: true }, 'takes no value'],
    [{ fact: 'visitor.plan', op: 'gt', value: 'pro' }, 'expected a number'],
    [{ fact: 'cart.value', op: 'eq', value: { amount: 1, currency: 'euro' } }, 'ISO 4217'],
  ])('refuses a value of the wrong shape: %j', (condition, message) => {
    const error = refused(rule({ conditions: condition }))
    expect(error.code).toBe('invalid_argument')
    expect(error.message).toContain(message)
  })

  it('refuses flags other than i, and flags on other operators', () => {
    const bad = { fact: 'page.path', op: 'matches', value: 'a', flags: 'g' }
    expect(refused(rule({ conditions: bad })).path).toBe('conditions.flags')
    const misplaced = { fact: 'page.path', op: 'eq', value: 'a', flags: 'i' }
    expect(refused(rule({ conditions: misplaced })).path).toBe('conditions.flags')
  })

  it('refuses an over-long regex with limit_exceeded', () => {
    const value = 'a'.repeat(ruleLimits.patternMax + 1)
    const error = refused(rule({ conditions: { fact: 'page.path', op: 'matches', value } }))
    expect(error).toMatchObject({ code: 'limit_exceeded', path: 'conditions.value' })
  })

  it.each([
    ['(a+)+$', 'nested quantifier'],
    ['(a|aa)*b', 'nested quantifier'],
    ['(\\w)\\1', 'backreferences'],
    ['(?<=x)y', 'lookarounds'],
    ['(', 'unbalanced'],
  ])('refuses the regex %s', (value, message) => {
    const error = refused(rule({ conditions: { fact: 'page.url', op: 'matches', value } }))
    expect(error.path).toBe('conditions.value')
    expect(error.message).toContain(message)
  })

  it('refuses conditions nested deeper than the limit, and accepts the limit', () => {
    expect(decodeRule(rule({ conditions: nest(ruleLimits.conditionDepthMax) })).ok).toBe(true)
    const error = refused(rule({ conditions: nest(ruleLimits.conditionDepthMax + 1) }))
    expect(error.code).toBe('limit_exceeded')
    expect(error.message).toContain('deeper than')
  })

  it('refuses a hostile depth without recursing into it', () => {
    let condition: unknown = leaf
    for (let i = 0; i < 100_000; i++) condition = { not: condition }
    expect(refused(rule({ conditions: condition })).code).toBe('limit_exceeded')
  })

  it('refuses more condition nodes than the limit', () => {
    const half = Math.ceil(ruleLimits.conditionNodesMax / 2)
    const conditions = { all: [{ all: Array(half).fill(leaf) }, { any: Array(half).fill(leaf) }] }
    const error = refused(rule({ conditions }))
    expect(error).toMatchObject({ code: 'limit_exceeded', path: 'conditions' })
  })

  it('refuses a list longer than the limit', () => {
    const value = Array.from({ length: ruleLimits.listMax + 1 }, (_, i) => `v${i}`)
    const error = refused(rule({ conditions: { fact: 'page.path', op: 'in', value } }))
    expect(error).toMatchObject({ code: 'limit_exceeded', path: 'conditions.value' })
  })

  it('refuses bad triggers, actions, caps and schedules', () => {
    expect(refused(rule({ trigger: { type: 'timer', after_s: 0 } })).path).toBe('trigger.after_s')
    expect(refused(rule({ trigger: { type: 'scroll' } })).path).toBe('trigger.type')
    expect(refused(rule({ actions: [] })).path).toBe('actions')
    expect(refused(rule({ actions: [{ type: 'open' }, { type: 'open' }] })).path).toBe('actions')
    const long = { type: 'proactive_message', text: 'x'.repeat(ruleLimits.messageTextMax + 1) }
    expect(refused(rule({ actions: [long] }))).toMatchObject({
      code: 'limit_exceeded',
      path: 'actions.0.text',
    })
    expect(refused(rule({ actions: [{ type: 'route', team: 'prototype' }] })).path).toBe(
      'actions.0.team',
    )
    expect(refused(rule({ frequency: { per: 'week', max: 1 } })).path).toBe('frequency.per')
    expect(refused(rule({ priority: 1.5 })).path).toBe('priority')
    const zone = {
      time_zone: 'Mars/Olympus',
      windows: [{ days: ['mon'], from: '09:00', to: '10:00' }],
    }
    expect(refused(rule({ schedule: zone })).path).toBe('schedule.time_zone')
    const hours = { time_zone: 'UTC', windows: [{ days: ['mon'], from: '9:00', to: '25:00' }] }
    expect(refused(rule({ schedule: hours })).path).toBe('schedule.windows.0.from')
  })
})

describe('decodeRuleSet', () => {
  it('accepts up to the rule limit and refuses more', () => {
    const rules = (n: number) => Array.from({ length: n }, (_, i) => rule({ id: `r${i}` }))
    expect(
      decodeRuleSet({ rules: rules(ruleLimits.rulesMax), max_proactive_per_session: 2 }).ok,
    ).toBe(true)
    const result = decodeRuleSet({
      rules: rules(ruleLimits.rulesMax + 1),
      max_proactive_per_session: 2,
    })
    expect(result).toMatchObject({ ok: false, error: { code: 'limit_exceeded', path: 'rules' } })
  })

  it('refuses duplicate rule ids', () => {
    const result = decodeRuleSet({ rules: [rule(), rule()], max_proactive_per_session: 1 })
    expect(result).toMatchObject({ ok: false, error: { path: 'rules.1.id' } })
  })

  it('never throws, whatever the input', () => {
    const hostile = {
      get rules(): unknown {
        throw new Error('boom')
      },
      max_proactive_per_session: 1,
    }
    for (const input of [null, 1, 'x', [], hostile, { rules: 'x' }, new Proxy({}, {})]) {
      expect(decodeRuleSet(input).ok).toBe(false)
    }
  })
})

describe('JSON Schema', () => {
  it('converts the rule set and the rule match, compactly with shared definitions', () => {
    for (const schema of [RuleSet, RuleMatch, RuleState]) {
      const document = z.toJSONSchema(schema, { io: 'input', reused: 'ref' })
      expect(document).toMatchObject({ type: 'object' })
      expect(JSON.stringify(document).length).toBeLessThan(20_000)
    }
  })
})
