import { describe, expect, it } from 'vitest'
import type { ConditionLeaf } from './condition.js'
import { createRuleMatch } from './create-rule-match.js'
import { decodeRule } from './decode-rules.js'
import { evaluateRule } from './evaluate-rule.js'
import { RuleMatch } from './explanation.js'
import type { Facts } from './facts.js'
import type { Rule } from './rule.js'
import { ruleLimits } from './rule-limits.js'

const now = Date.parse('2024-04-02T10:00:00Z')
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length

const count = ruleLimits.conditionNodesMax - 1
const key = (i: number) => `k${'x'.repeat(ruleLimits.idMax - 3)}${String(i).padStart(2, '0')}`

// The largest rule there is: every leaf on a long key, each with a full list of long strings.
function bigRule(char: string): Rule {
  const long = (j: number) => `${j}${char.repeat(ruleLimits.stringValueMax - 2)}`
  const leaves: ConditionLeaf[] = Array.from({ length: count }, (_, i) => ({
    fact: `visitor.${key(i)}`,
    op: 'in',
    value: Array.from({ length: ruleLimits.listMax }, (_, j) => long(j)),
  }))
  const decoded = decodeRule({
    id: 'big',
    name: 'n'.repeat(ruleLimits.nameMax),
    enabled: true,
    priority: 0,
    trigger: { type: 'exit_intent' },
    conditions: { all: leaves },
    actions: [{ type: 'open' }],
  })
  if (!decoded.ok) throw new Error(decoded.error.message)
  return decoded.value
}

function visitor(char: string): Facts {
  const entries = Array.from({ length: count }, (_, i) => [
    key(i),
    { value: char.repeat(ruleLimits.stringValueMax), trust: 'host' as const },
  ])
  return { visitor: Object.fromEntries(entries) }
}

function match(rule: Rule, facts: Facts) {
  const verdict = evaluateRule(rule, facts, now, { type: 'exit_intent' })
  return createRuleMatch(rule, verdict, { type: 'exit_intent' }, now)
}

describe('RuleMatch', () => {
  it('carries a small explanation whole, as plain JSON its schema accepts', () => {
    const rule = bigRule('e')
    const small = {
      ...rule,
      conditions: { all: [{ fact: 'visits', op: 'gt', value: 1 } as const] },
    }
    const m = match(small, { visits: 2 })
    expect(m).toMatchObject({
      rule_id: 'big',
      trigger: { type: 'exit_intent' },
      matched_at: now,
      explanation: { enabled: true, trigger: { pass: true, reason: 'exit intent' } },
    })
    const copy = JSON.parse(JSON.stringify(m))
    expect(RuleMatch.safeParse(copy)).toMatchObject({ success: true, data: copy })
  })

  it('drops leaf values first when the explanation is too large', () => {
    const m = match(bigRule('e'), visitor('e'))
    expect(bytes(m)).toBeLessThanOrEqual(ruleLimits.ruleMatchBytesMax)
    expect(RuleMatch.safeParse(m).success).toBe(true)
    const conditions = m.explanation.conditions
    if (conditions.kind !== 'all') throw new Error('expected the tree to be kept')
    expect(conditions.children).toHaveLength(ruleLimits.conditionNodesMax - 1)
    expect(conditions.children[0]).not.toHaveProperty('expected')
    // The reason keeps the gist, cut to its cap.
    const reason = conditions.children[0]?.reason ?? ''
    expect(reason.startsWith(`visitor.${key(0)} "eee`)).toBe(true)
    expect(reason.length).toBe(ruleLimits.explainReasonMax)
  })

  it('replaces the tree with one omitted node as a last resort', () => {
    const m = match(bigRule('€'), visitor('€'))
    expect(bytes(m)).toBeLessThanOrEqual(ruleLimits.ruleMatchBytesMax)
    expect(m.explanation.conditions).toEqual({
      kind: 'omitted',
      pass: false,
      reason: 'explanation too large to carry',
    })
    expect(RuleMatch.safeParse(m).success).toBe(true)
  })

  it('refuses a match over the size cap with limit_exceeded, and malformed explanations', () => {
    const m = match(bigRule('e'), visitor('e'))
    const padded = { ...m, rule_name: 'n'.repeat(ruleLimits.nameMax) }
    const conditions = m.explanation.conditions
    if (conditions.kind !== 'all') throw new Error('expected the tree to be kept')
    const fat = {
      ...padded,
      explanation: {
        ...m.explanation,
        conditions: {
          ...conditions,
          children: conditions.children.map((c) => ({
            ...c,
            expected: ['x'.repeat(64), 'y'.repeat(64)],
          })),
        },
      },
    }
    const result = RuleMatch.safeParse(fat)
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]).toMatchObject({
      code: 'custom',
      params: { code: 'limit_exceeded' },
    })
    expect(RuleMatch.safeParse({ ...m, explanation: { enabled: true } }).success).toBe(false)
    expect(RuleMatch.safeParse({ ...m, rule_id: '__proto__' }).success).toBe(false)
  })
})
