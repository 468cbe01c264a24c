import type { Action, Facts, Rule, RuleMatch, RuleSet, RuleState } from '@causette/events'
import { RuleMatch as RuleMatchSchema } from '@causette/events'
import { describe, expect, it } from 'vitest'
import { createRuleRunner, type RuleClock } from './create-rule-runner.js'

function fakeClock(start = Date.parse('2024-04-02T10:00:00Z')) {
  let now = start
  let nextId = 1
  const timers = new Map<number, { due: number; callback: () => void }>()
  const clock: RuleClock = {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++
      timers.set(id, { due: now + ms, callback })
      return id
    },
    clearTimeout(handle) {
      timers.delete(handle as number)
    },
  }
  function advance(ms: number) {
    const end = now + ms
    for (;;) {
      const next = [...timers.entries()].sort((a, b) => a[1].due - b[1].due)[0]
      if (!next || next[1].due > end) break
      timers.delete(next[0])
      now = next[1].due
      next[1].callback()
    }
    now = end
  }
  return { clock, advance, pending: () => timers.size }
}

function rule(id: string, extra: Partial<Rule> = {}): Rule {
  return {
    id,
    name: `Rule ${id}`,
    enabled: true,
    priority: 0,
    trigger: { type: 'page_view' },
    conditions: { all: [] },
    actions: [{ type: 'proactive_message', text: `hi from ${id}` }],
    frequency: { per: 'visitor', max: 100 },
    ...extra,
  }
}

function setup(rules: Rule[], options: { max?: number; facts?: () => Facts } = {}) {
  const { clock, advance, pending } = fakeClock()
  const fired: { match: RuleMatch; actions: readonly Action[] }[] = []
  let stored: RuleState | undefined
  const ruleSet: RuleSet = { rules, max_proactive_per_session: options.max ?? 10 }
  const runner = createRuleRunner({
    ruleSet,
    getFacts: options.facts ?? (() => ({})),
    clock,
    state: {
      get: () => stored,
      // Through JSON, as a real storage would keep it.
      set: (state) => {
        stored = JSON.parse(JSON.stringify(state))
      },
    },
    onFire: (match, actions) => fired.push({ match, actions }),
  })
  const ids = () => fired.map((f) => f.match.rule_id)
  return { runner, advance, pending, fired, ids, stored: () => stored }
}

describe('createRuleRunner', () => {
  it('fires a page-view rule at once, with its match and actions', () => {
    const { runner, fired } = setup([
      rule('a', { trigger: { type: 'page_view', path: '/checkout/**' } }),
    ])
    runner.pageView({ path: '/home' })
    expect(fired).toHaveLength(0)
    runner.pageView({ path: '/checkout/pay' })
    expect(fired).toHaveLength(1)
    const [{ match, actions } = { match: undefined, actions: [] }] = fired
    expect(actions).toEqual([{ type: 'proactive_message', text: 'hi from a' }])
    expect(match).toMatchObject({
      rule_id: 'a',
      rule_name: 'Rule a',
      trigger: { type: 'page_view', path: '/checkout/pay' },
      explanation: { trigger: { pass: true } },
    })
    expect(RuleMatchSchema.safeParse(JSON.parse(JSON.stringify(match))).success).toBe(true)
  })

  it('fires a timer rule after the time on the page, not before', () => {
    const { runner, advance, ids } = setup([rule('t', { trigger: { type: 'timer', after_s: 30 } })])
    runner.pageView({ path: '/' })
    advance(29_999)
    expect(ids()).toEqual([])
    advance(1)
    expect(ids()).toEqual(['t'])
    advance(60_000)
    expect(ids()).toEqual(['t'])
  })

  it('pauses timers while the tab is hidden and counts only visible time on the page', () => {
    const seen: number[] = []
    const timed = rule('t', {
      trigger: { type: 'timer', after_s: 30 },
      conditions: { fact: 'time_on_page_s', op: 'gte', value: 30 },
    })
    const { runner, advance, ids, fired } = setup([timed])
    runner.pageView({ path: '/' })
    advance(10_000)
    runner.setHidden(true)
    advance(600_000)
    expect(ids()).toEqual([])
    runner.setHidden(false)
    advance(19_999)
    expect(ids()).toEqual([])
    advance(1)
    expect(ids()).toEqual(['t'])
    const leaf = fired[0]?.match.explanation.conditions
    if (leaf?.kind === 'leaf' && typeof leaf.actual === 'number') seen.push(leaf.actual)
    expect(seen).toEqual([30])
  })

  it('pauses a delay while hidden and resumes it where it stopped', () => {
    const { runner, advance, ids } = setup([rule('d', { delay_s: 10 })])
    runner.pageView({ path: '/' })
    advance(4_000)
    runner.setHidden(true)
    advance(100_000)
    expect(ids()).toEqual([])
    runner.setHidden(false)
    advance(5_999)
    expect(ids()).toEqual([])
    advance(1)
    expect(ids()).toEqual(['d'])
  })

  it('resets timers and delays on single-page navigation', () => {
    const { runner, advance, ids } = setup([
      rule('t', { trigger: { type: 'timer', after_s: 30 } }),
      rule('d', { delay_s: 10, trigger: { type: 'page_view', path: '/a' } }),
    ])
    runner.pageView({ path: '/a' })
    advance(9_000)
    runner.pageView({ path: '/b' })
    advance(21_000)
    expect(ids()).toEqual([])
    advance(9_000)
    expect(ids()).toEqual(['t'])
  })

  it('checks the conditions again when a delay ends', () => {
    let active = false
    const { runner, advance, ids } = setup(
      [rule('d', { delay_s: 5, conditions: { fact: 'conversation.active', op: 'is_false' } })],
      { facts: () => ({ conversation_active: active }) },
    )
    runner.pageView({ path: '/' })
    active = true
    advance(5_000)
    expect(ids()).toEqual([])
  })

  it('fires an idle rule after inactivity, restarted by activity', () => {
    const { runner, advance, ids } = setup([rule('i', { trigger: { type: 'idle', after_s: 20 } })])
    runner.pageView({ path: '/' })
    advance(15_000)
    runner.activity()
    advance(15_000)
    expect(ids()).toEqual([])
    advance(5_000)
    expect(ids()).toEqual(['i'])
  })

  it('fires exit-intent and event rules', () => {
    const { runner, ids } = setup([
      rule('x', { trigger: { type: 'exit_intent' } }),
      rule('e', { trigger: { type: 'event', event: 'Product Added' } }),
    ])
    runner.pageView({ path: '/' })
    runner.event('Product Viewed')
    expect(ids()).toEqual([])
    runner.event('Product Added')
    runner.exitIntent()
    expect(ids()).toEqual(['e', 'x'])
  })

  it('respects frequency caps and stops once the visitor engaged', () => {
    const { runner, ids } = setup([
      rule('s', { frequency: { per: 'session', max: 1 } }),
      rule('u', { frequency: { per: 'visitor', max: 5, until: 'engaged' } }),
    ])
    runner.pageView({ path: '/1' })
    runner.pageView({ path: '/2' })
    expect(ids()).toEqual(['s', 'u', 'u'])
    runner.engaged('u')
    runner.pageView({ path: '/3' })
    expect(ids()).toEqual(['s', 'u', 'u'])
  })

  it('respects the global cap on proactive messages per session', () => {
    const { runner, ids, stored } = setup(
      [
        rule('a', { priority: 3 }),
        rule('b', { priority: 2 }),
        rule('c', { priority: 1 }),
        rule('r', { actions: [{ type: 'route', team: 'experts' }] }),
      ],
      { max: 2 },
    )
    runner.pageView({ path: '/1' })
    runner.pageView({ path: '/2' })
    expect(ids()).toEqual(['a', 'b', 'r', 'r'])
    expect(stored()?.session.proactive).toBe(2)
  })

  it('stops everything on dispose', () => {
    const { runner, advance, ids, pending } = setup([
      rule('t', { trigger: { type: 'timer', after_s: 5 } }),
    ])
    runner.pageView({ path: '/' })
    runner.dispose()
    expect(pending()).toBe(0)
    advance(10_000)
    runner.pageView({ path: '/' })
    runner.exitIntent()
    expect(ids()).toEqual([])
  })
})

describe('createRuleRunner: facts fetched on demand (prepare)', () => {
  function withPrepare(rules: Rule[]) {
    const { clock, advance } = fakeClock()
    const fired: string[] = []
    const prepared: string[][] = []
    let agents: number | undefined
    let done: () => void = () => undefined
    const runner = createRuleRunner({
      ruleSet: { rules, max_proactive_per_session: 10 },
      getFacts: () => ({ agents_available: agents }),
      clock,
      onFire: (match) => fired.push(match.rule_id),
      prepare: (candidates) => {
        prepared.push(candidates.map((r) => r.id))
        if (!candidates.some((r) => r.id.startsWith('agents'))) return undefined
        return new Promise<void>((resolve) => {
          done = () => {
            agents = 1
            resolve()
          }
        })
      },
    })
    return { runner, fired, prepared, advance, answer: () => done() }
  }
  const needsAgents = (id: string, extra: Partial<Rule> = {}) =>
    rule(id, { conditions: { fact: 'agents.available', op: 'gte', value: 1 }, ...extra })

  it('waits for what prepare fetches, and asks only with the rules about to be evaluated', async () => {
    const { runner, fired, prepared, answer } = withPrepare([
      needsAgents('agents-a'),
      rule('plain', { trigger: { type: 'event', event: 'x' } }),
    ])
    runner.event('x')
    expect(fired).toEqual(['plain'])
    runner.pageView({ path: '/' })
    expect(prepared).toEqual([['plain'], ['agents-a']])
    expect(fired).toEqual(['plain'])
    answer()
    await Promise.resolve()
    await Promise.resolve()
    expect(fired).toEqual(['plain', 'agents-a'])
  })

  it('drops an evaluation that waited across a page view', async () => {
    const { runner, fired, answer } = withPrepare([
      needsAgents('agents-a', { trigger: { type: 'page_view', path: '/cart' } }),
    ])
    runner.pageView({ path: '/cart' })
    runner.pageView({ path: '/home' })
    answer()
    await Promise.resolve()
    await Promise.resolve()
    expect(fired).toEqual([])
  })

  it('after a delay, waits again before checking the conditions; nothing after dispose', async () => {
    const { runner, fired, prepared, advance, answer } = withPrepare([
      needsAgents('agents-a', { delay_s: 5 }),
    ])
    runner.pageView({ path: '/' })
    answer()
    await Promise.resolve()
    await Promise.resolve()
    expect(fired).toEqual([])
    advance(5_000)
    expect(prepared).toHaveLength(2)
    runner.dispose()
    answer()
    await Promise.resolve()
    await Promise.resolve()
    expect(fired).toEqual([])
  })
})
