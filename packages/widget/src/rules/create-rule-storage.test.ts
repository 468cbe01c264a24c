import { emptyRuleState, ruleDefaults } from '@causette/events'
import { describe, expect, test } from 'vitest'
import { createMemoryStorage } from '../create-device-storage.js'
import { createRuleStorage } from './create-rule-storage.js'

const key = 'causette:demo:rules'

function setup(granted = true) {
  let now = 1_700_000_000_000
  const consent = { granted }
  const storage = createMemoryStorage()
  const make = () =>
    createRuleStorage({ storage, key, granted: () => consent.granted, now: () => now })
  return { storage, make, consent, advance: (ms: number) => (now += ms), now: () => now }
}

describe('createRuleStorage', () => {
  test('keeps the rule state and the visits on the device while personalization is granted', () => {
    const { storage, make, advance, now } = setup()
    const first = make()
    expect(first.visit()).toEqual({ visits: 1, startedAt: now() })
    first.set(emptyRuleState(now()))
    expect(JSON.parse(storage.getItem(key) ?? '{}')).toMatchObject({ visits: 1 })
    // The next page, ten minutes later: the same visit, the same history.
    advance(10 * 60_000)
    const next = make()
    expect(next.get()).toEqual(emptyRuleState(now() - 10 * 60_000))
    expect(next.visit()).toEqual({ visits: 1, startedAt: now() - 10 * 60_000 })
    // After half an hour without activity, a new visit.
    advance(ruleDefaults.sessionIdleMs + 1)
    expect(make().visit()).toEqual({ visits: 2, startedAt: now() })
  })

  test('without consent, memory only: nothing written, every page a first visit', () => {
    const { storage, make, consent, now } = setup(false)
    storage.setItem(key, JSON.stringify({ visits: 7, started_at: 0, last_at: now() }))
    const rules = make()
    rules.set(emptyRuleState(now()))
    expect(rules.visit()).toEqual({ visits: 1, startedAt: now() })
    // A stored entry is removed rather than kept behind the visitor's back.
    expect(storage.getItem(key)).toBeNull()
    expect(rules.get()).toEqual(emptyRuleState(now()))
    // Granted later: this page's history is kept and stored from then on.
    consent.granted = true
    rules.set(emptyRuleState(now()))
    expect(storage.getItem(key)).not.toBeNull()
  })

  test('a tampered entry counts for nothing', () => {
    const { storage, make, now } = setup()
    storage.setItem(
      key,
      JSON.stringify({ state: { rules: { __proto__: 1 } }, visits: -4, last_at: 'x' }),
    )
    const rules = make()
    expect(rules.get()).toBeUndefined()
    expect(rules.visit()).toEqual({ visits: 1, startedAt: now() })
  })

  test('forget() clears the device and the memory', () => {
    const { storage, make, now } = setup()
    const rules = make()
    rules.set(emptyRuleState(now()))
    rules.forget()
    expect(storage.getItem(key)).toBeNull()
    expect(rules.get()).toBeUndefined()
  })
})
