import { describe, expect, it } from 'vitest'
import type { Rule, RuleSet, TriggerEvent } from './rule.js'
import {
  checkCaps,
  emptyRuleState,
  recordEngaged,
  recordInteraction,
  recordSeen,
  recordShown,
  rollRuleState,
} from './rule-caps.js'
import { ruleDefaults } from './rule-limits.js'
import { RuleState } from './rule-state.js'
import { selectRules } from './select-rules.js'

const t0 = Date.parse('2024-04-02T10:00:00Z')
const pageView: TriggerEvent = { type: 'page_view', path: '/' }

function rule(id: string, extra: Partial<Rule> = {}): Rule {
  return {
    id,
    name: id,
    enabled: true,
    priority: 0,
    trigger: { type: 'page_view' },
    conditions: { all: [] },
    actions: [{ type: 'proactive_message', text: `hello from ${id}` }],
    frequency: { per: 'visitor', max: 100 },
    ...extra,
  }
}

function set(rules: Rule[], max = 10, extra: Partial<RuleSet> = {}): RuleSet {
  return { rules, max_proactive_per_session: max, ...extra }
}

const ids = (ruleSet: RuleSet, state: RuleState, at = t0, trigger = pageView) =>
  selectRules(ruleSet, {}, state, trigger, at).map((s) => s.rule.id)

describe('selectRules', () => {
  it('orders by priority, highest first, ties in rule set order', () => {
    const rules = set([
      rule('a', { priority: 1 }),
      rule('b', { priority: 5 }),
      rule('c', { priority: 1 }),
    ])
    expect(ids(rules, emptyRuleState(t0))).toEqual(['b', 'a', 'c'])
  })

  it('skips disabled, off-trigger and unmatched rules', () => {
    const rules = set([
      rule('off', { enabled: false }),
      rule('event', { trigger: { type: 'event', event: 'Cart Viewed' } }),
      rule('no', { conditions: { fact: 'visits', op: 'gt', value: 5 } }),
      rule('yes'),
    ])
    expect(ids(rules, emptyRuleState(t0))).toEqual(['yes'])
  })

  it('respects the global cap on proactive messages per session, within one selection too', () => {
    const rules = set(
      [
        rule('a'),
        rule('b'),
        rule('c'),
        rule('route', { actions: [{ type: 'route', team: 'sales' }] }),
      ],
      2,
    )
    let state = emptyRuleState(t0)
    expect(ids(rules, state)).toEqual(['a', 'b', 'route'])
    state = recordShown(state, rules, rule('a'), t0)
    // One proactive message left this session: the first by priority takes it.
    expect(ids(rules, state)).toEqual(['a', 'route'])
    state = recordShown(state, rules, rule('b'), t0)
    expect(ids(rules, state)).toEqual(['route'])
    expect(checkCaps(rules, state, rule('c'), t0)).toEqual({
      pass: false,
      reason: '2 of 2 proactive messages this session',
    })
    // A new session, after the idle gap, starts a new budget.
    expect(ids(rules, state, t0 + ruleDefaults.sessionIdleMs + 1)).toEqual(['a', 'b', 'route'])
  })

  it('counts shows per session, per day and per visitor', () => {
    const rules = set(
      [
        rule('session', { frequency: { per: 'session', max: 1 } }),
        rule('day', { frequency: { per: 'day', max: 2 } }),
        rule('visitor', { frequency: { per: 'visitor', max: 3 } }),
      ],
      100,
      { time_zone: 'Europe/Paris' },
    )
    let state = emptyRuleState(t0)
    let at = t0
    const fire = () => {
      for (const s of selectRules(rules, {}, state, pageView, at))
        state = recordShown(state, rules, s.rule, at)
    }
    fire()
    expect(ids(rules, state, at)).toEqual(['day', 'visitor'])
    fire()
    expect(ids(rules, state, at)).toEqual(['visitor'])
    // Next session (same day): the session rule is back, the day rule is not.
    at += ruleDefaults.sessionIdleMs + 1
    expect(ids(rules, state, at)).toEqual(['session', 'visitor'])
    fire()
    // Next day in Paris: the day rule is back, the visitor rule has had its 3 shows.
    at = Date.parse('2024-04-02T22:30:00Z') // 00:30 on 3 April in Paris
    expect(ids(rules, state, at)).toEqual(['session', 'day'])
    expect(
      checkCaps(rules, state, rule('visitor', { frequency: { per: 'visitor', max: 3 } }), at),
    ).toEqual({
      pass: false,
      reason: 'shown 3 of 3 times for this visitor',
    })
  })

  it('defaults to once per session', () => {
    const rules = set([rule('a', { frequency: undefined }) as Rule])
    const { frequency: _, ...plain } = rule('a')
    const once = set([plain])
    let state = emptyRuleState(t0)
    expect(ids(once, state)).toEqual(['a'])
    state = recordShown(state, rules, plain, t0)
    expect(ids(once, state)).toEqual([])
  })

  it.each([
    ['seen', recordSeen],
    ['interacted', recordInteraction],
    ['engaged', recordEngaged],
  ] as const)('stops a rule once the visitor has %s it', (until, record) => {
    const r = rule('a', { frequency: { per: 'visitor', max: 10, until } })
    const rules = set([r])
    let state = recordShown(emptyRuleState(t0), rules, r, t0)
    expect(ids(rules, state)).toEqual(['a'])
    state = record(state, 'a')
    expect(ids(rules, state)).toEqual([])
    expect(checkCaps(rules, state, r, t0).reason).toBe(`stopped: the visitor has ${until} it`)
  })

  it('implies seen from interacted and both from engaged', () => {
    const state = recordEngaged(emptyRuleState(t0), 'a')
    expect(state.rules.a).toMatchObject({ seen: true, interacted: true, engaged: true })
    expect(recordInteraction(emptyRuleState(t0), 'a').rules.a).toMatchObject({
      seen: true,
      interacted: true,
    })
  })

  it('keeps the state plain JSON that its schema accepts', () => {
    const rules = set([rule('a'), rule('b')])
    let state = emptyRuleState(t0)
    state = recordShown(state, rules, rule('a'), t0)
    state = recordSeen(state, 'b')
    const copy = JSON.parse(JSON.stringify(state))
    expect(RuleState.safeParse(copy).success).toBe(true)
    expect(copy).toEqual(state)
    // zod drops a `__proto__` key rather than assigning it: no prototype is ever touched.
    const hostile = RuleState.safeParse({
      ...copy,
      rules: JSON.parse('{"__proto__":{"visitor":0}}'),
    })
    expect(hostile.success && Object.keys(hostile.data.rules)).toEqual([])
    expect(hostile.success && Object.getPrototypeOf(hostile.data.rules)).toBe(Object.prototype)
    expect(RuleState.safeParse({ ...copy, rules: { constructor: copy.rules.a } }).success).toBe(
      false,
    )
  })

  it('rolls a state forward without losing visitor counts', () => {
    const rules = set([rule('a')])
    const state = recordShown(emptyRuleState(t0), rules, rule('a'), t0)
    const later = rollRuleState(state, t0 + 3 * 86_400_000, 'UTC')
    expect(later.rules.a).toMatchObject({ visitor: 1, session: 0, day: 0 })
    expect(later.session.proactive).toBe(0)
  })
})
