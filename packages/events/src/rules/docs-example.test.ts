import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createRuleMatch } from './create-rule-match.js'
import { decodeRuleSet } from './decode-rules.js'
import { evaluateRule } from './evaluate-rule.js'
import { RuleMatch } from './explanation.js'
import { fixedFacts } from './fact-catalogue.js'
import type { Facts } from './facts.js'
import { Operator, operatorsByType } from './operators.js'
import type { Rule, TriggerEvent } from './rule.js'
import { emptyRuleState, recordEngaged, recordShown } from './rule-caps.js'
import { ruleLimits } from './rule-limits.js'
import { Schedule } from './schedule.js'
import { selectRules } from './select-rules.js'

const doc = readFileSync(new URL('../../../../docs/rules.md', import.meta.url), 'utf8')
const marker = '<!-- rules-example -->'
const example = /```json\n([\s\S]*?)```/.exec(doc.slice(doc.indexOf(marker)))?.[1]
const tableRows = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
const rows = tableRows(doc)
const exampleRows = tableRows(doc.slice(doc.indexOf(marker)))

function parsed() {
  if (doc.indexOf(marker) < 0 || !example) throw new Error(`no json block after ${marker}`)
  const result = decodeRuleSet(JSON.parse(example))
  if (!result.ok) throw new Error(result.error.message)
  return result.value
}

const ruleSet = parsed()
const rule = ruleSet.rules[0] as Rule
const timer: TriggerEvent = { type: 'timer', after_s: 30 }
// Monday 1 April 2024, 10:00 in Paris (CEST, UTC+2).
const monday10 = Date.parse('2024-04-01T08:00:00Z')
const matching: Facts = {
  page: { url: 'https://shop.example/checkout', path: '/checkout', type: 'checkout' },
  time_on_page_s: 30,
  cart: { value: 120, currency: 'EUR', item_count: 3 },
  conversation_active: false,
  agents_available: 3,
  agents_available_by_team: { experts: 2, sales: 1 },
}

describe('the worked example of docs/rules.md', () => {
  it('parses as a rule set', () => {
    expect(ruleSet.rules).toHaveLength(1)
    expect(rule.actions).toContainEqual({ type: 'route', team: 'experts' })
  })

  it('fires for matching facts, and explains it as the doc says', () => {
    const verdict = evaluateRule(rule, matching, monday10, timer)
    expect(verdict.matched).toBe(true)
    expect(verdict.reasons).toEqual({
      enabled: true,
      trigger: { pass: true, reason: '30 s on the page' },
      schedule: {
        pass: true,
        reason: 'mon 10:00 Europe/Paris is within mon,tue,wed,thu,fri 09:00-19:00',
      },
      conditions: {
        kind: 'all',
        pass: true,
        reason: '4 of 4 passed, all needed',
        children: [
          {
            kind: 'leaf',
            pass: true,
            fact: 'page.type',
            op: 'eq',
            expected: 'checkout',
            actual: 'checkout',
            trust: 'host',
            reason: 'page.type "checkout" = "checkout"',
          },
          {
            kind: 'leaf',
            pass: true,
            fact: 'cart.value',
            op: 'gt',
            expected: { amount: 100, currency: 'EUR' },
            actual: { amount: 120, currency: 'EUR' },
            trust: 'host',
            reason: 'cart.value 120 EUR > 100 EUR',
          },
          {
            kind: 'leaf',
            pass: true,
            fact: 'conversation.active',
            op: 'is_false',
            actual: false,
            trust: 'observed',
            reason: 'conversation.active is false',
          },
          {
            kind: 'leaf',
            pass: true,
            fact: 'agents.available.experts',
            op: 'gte',
            expected: 1,
            actual: 2,
            trust: 'verified',
            reason: 'agents.available.experts 2 >= 1',
          },
        ],
      },
    })
    // The doc's table gives the same reasons.
    const leaves =
      verdict.reasons.conditions.kind === 'all' ? verdict.reasons.conditions.children : []
    for (const leaf of leaves) {
      const row = exampleRows.find(
        (cells) => cells[0] === `\`${leaf.kind === 'leaf' ? leaf.fact : ''}\``,
      )
      expect(row?.[2]).toBe(leaf.reason)
    }
  })

  it.each([
    [
      'a cart of 80 EUR',
      { cart: { value: 80, currency: 'EUR', item_count: 1 } },
      'cart.value 80 EUR not > 100 EUR',
    ],
    [
      'a cart in USD',
      { cart: { value: 120, currency: 'USD', item_count: 1 } },
      'currency mismatch: USD vs EUR',
    ],
    ['an open conversation', { conversation_active: true }, 'conversation.active is true'],
    [
      'no expert available',
      { agents_available_by_team: { sales: 2 } },
      'agents.available.experts 0 not >= 1',
    ],
    [
      'another page',
      { page: { url: 'https://shop.example/', path: '/', type: 'home' } },
      'page.type "home" not = "checkout"',
    ],
  ])('does not fire with %s, and says why', (_, change, reason) => {
    const verdict = evaluateRule(rule, { ...matching, ...change }, monday10, timer)
    expect(verdict.matched).toBe(false)
    const conditions = verdict.reasons.conditions
    expect(conditions).toMatchObject({
      kind: 'all',
      pass: false,
      reason: '3 of 4 passed, all needed',
    })
    const failed = conditions.kind === 'all' ? conditions.children.filter((c) => !c.pass) : []
    expect(failed.map((c) => c.reason)).toEqual([reason])
  })

  it('does not fire out of hours or on another trigger', () => {
    const saturday = evaluateRule(rule, matching, Date.parse('2024-04-06T08:00:00Z'), timer)
    expect(saturday.matched).toBe(false)
    expect(saturday.reasons.schedule).toEqual({
      pass: false,
      reason: 'sat 10:00 Europe/Paris is outside mon,tue,wed,thu,fri 09:00-19:00',
    })
    const evening = evaluateRule(rule, matching, Date.parse('2024-04-01T17:00:00Z'), timer)
    expect(evening.reasons.schedule?.pass).toBe(false)
    const early = evaluateRule(rule, matching, monday10, { type: 'timer', after_s: 10 })
    expect(early.reasons.trigger).toEqual({
      pass: false,
      reason: 'waits for 30 s on the page, got 10 s on the page',
    })
  })

  it('is selected once per visitor, never after the visitor replied, and travels as a RuleMatch', () => {
    let state = emptyRuleState(monday10)
    const [selected] = selectRules(ruleSet, matching, state, timer, monday10)
    expect(selected?.rule.id).toBe('checkout-experts')
    const match = createRuleMatch(
      rule,
      selected?.verdict ?? evaluateRule(rule, matching, monday10),
      timer,
      monday10,
    )
    expect(RuleMatch.safeParse(JSON.parse(JSON.stringify(match))).success).toBe(true)
    state = recordShown(state, ruleSet, rule, monday10)
    const nextWeek = monday10 + 7 * 86_400_000
    expect(selectRules(ruleSet, matching, state, timer, nextWeek)).toEqual([])
    expect(
      selectRules(
        ruleSet,
        matching,
        recordEngaged(emptyRuleState(monday10), rule.id),
        timer,
        monday10,
      ),
    ).toEqual([])
  })
})

describe('docs/rules.md', () => {
  it('has only JSON snippets that parse as what they show', () => {
    const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1] ?? ''))
    expect(blocks.length).toBeGreaterThanOrEqual(2)
    for (const block of blocks) {
      const ok = 'rules' in block ? decodeRuleSet(block).ok : Schedule.safeParse(block).success
      expect(ok, JSON.stringify(block).slice(0, 80)).toBe(true)
    }
  })

  it('lists every limit with its value', () => {
    for (const [name, value] of Object.entries(ruleLimits)) {
      expect(rows.find((cells) => cells[0] === `\`${name}\``)?.[1], name).toBe(String(value))
    }
  })

  it('lists every fact and every operator of every type', () => {
    for (const fact of [
      ...Object.keys(fixedFacts),
      'visitor.<key>',
      'events.<name>.count',
      'agents.available.<team>',
    ])
      expect(
        rows.some((cells) => cells[0] === `\`${fact}\``),
        fact,
      ).toBe(true)
    for (const [type, ops] of Object.entries(operatorsByType)) {
      const row = doc.split('\n').find((line) => new RegExp(`^\\| ${type} +\\|`).test(line))
      expect(row, type).toBeDefined()
      for (const op of ops) expect(row, `${type} ${op}`).toContain(`\`${op}\``)
    }
    for (const op of Operator.options) expect(doc).toContain(`\`${op}\``)
  })
})
