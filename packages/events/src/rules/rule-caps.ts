import type { StepExplanation } from './explanation.js'
import { localTime } from './local-time.js'
import type { Rule, RuleSet } from './rule.js'
import { ruleDefaults, ruleLimits } from './rule-limits.js'
import type { RuleCounters, RuleState } from './rule-state.js'

/** Whether a rule shows something to the visitor (counts towards `max_proactive_per_session`). */
export function isProactive(rule: Pick<Rule, 'actions'>): boolean {
  return rule.actions.some((a) => a.type === 'proactive_message' || a.type === 'open')
}

/** The state of a visitor no rule has fired for yet. */
export function emptyRuleState(now: number): RuleState {
  return { session: { started_at: now, last_at: now, proactive: 0 }, day: '', rules: {} }
}

function dayOf(now: number, timeZone: string): string {
  return (
    localTime(now, timeZone)?.date ??
    new Date(Number.isFinite(now) ? now : 0).toISOString().slice(0, 10)
  )
}

function counters(state: RuleState, id: string): RuleCounters {
  return (
    (Object.hasOwn(state.rules, id) ? state.rules[id] : undefined) ?? {
      visitor: 0,
      session: 0,
      day: 0,
      last_at: 0,
    }
  )
}

/**
 * Moves a state to `now`: a new session after `ruleDefaults.sessionIdleMs` of silence resets the
 * session counts, a new calendar day in `timeZone` resets the day counts.
 */
export function rollRuleState(state: RuleState, now: number, timeZone: string): RuleState {
  const day = dayOf(now, timeZone)
  const newSession = now - state.session.last_at > ruleDefaults.sessionIdleMs
  const newDay = day !== state.day
  const session = newSession
    ? { started_at: now, last_at: now, proactive: 0 }
    : { ...state.session, last_at: Math.max(now, state.session.last_at) }
  if (!newSession && !newDay) return { ...state, session }
  // fromEntries defines own properties, so no key can reach a prototype.
  const rules = Object.fromEntries(
    Object.entries(state.rules).map(([id, c]) => [
      id,
      { ...c, session: newSession ? 0 : c.session, day: newDay ? 0 : c.day },
    ]),
  )
  return { session, day, rules }
}

function withCounters(state: RuleState, id: string, next: RuleCounters): RuleState {
  const rules: Record<string, RuleCounters> = { ...state.rules, [id]: next }
  const ids = Object.keys(rules)
  // Forget the rules shown longest ago rather than grow without bound.
  if (ids.length > ruleLimits.stateRulesMax) {
    ids.sort((a, b) => (rules[a]?.last_at ?? 0) - (rules[b]?.last_at ?? 0))
    for (const old of ids.slice(0, ids.length - ruleLimits.stateRulesMax)) delete rules[old]
  }
  return { ...state, rules }
}

/** Records that a rule fired at `now`: counts it per visitor, session and day, and towards the session's proactive cap. */
export function recordShown(
  state: RuleState,
  ruleSet: RuleSet,
  rule: Rule,
  now: number,
): RuleState {
  const rolled = rollRuleState(state, now, ruleSet.time_zone ?? ruleDefaults.timeZone)
  const c = counters(rolled, rule.id)
  const next = withCounters(rolled, rule.id, {
    ...c,
    visitor: c.visitor + 1,
    session: c.session + 1,
    day: c.day + 1,
    last_at: now,
  })
  if (!isProactive(rule)) return next
  return { ...next, session: { ...next.session, proactive: next.session.proactive + 1 } }
}

function flag(state: RuleState, id: string, flags: Partial<RuleCounters>): RuleState {
  return withCounters(state, id, { ...counters(state, id), ...flags })
}

/** Records that the visitor saw a rule's message (it was on screen). */
export function recordSeen(state: RuleState, ruleId: string): RuleState {
  return flag(state, ruleId, { seen: true })
}

/** Records that the visitor interacted with a rule's message (opened, clicked or dismissed it); implies seen. */
export function recordInteraction(state: RuleState, ruleId: string): RuleState {
  return flag(state, ruleId, { seen: true, interacted: true })
}

/** Records that the visitor replied to a rule's message; implies seen and interacted. */
export function recordEngaged(state: RuleState, ruleId: string): RuleState {
  return flag(state, ruleId, { seen: true, interacted: true, engaged: true })
}

/**
 * Whether a rule may fire now under its frequency cap and the session's proactive cap, with the
 * reason; `alsoFiring` counts proactive rules already chosen in the same selection.
 */
export function checkCaps(
  ruleSet: RuleSet,
  state: RuleState,
  rule: Rule,
  now: number,
  alsoFiring = 0,
): StepExplanation {
  const rolled = rollRuleState(state, now, ruleSet.time_zone ?? ruleDefaults.timeZone)
  const c = counters(rolled, rule.id)
  const frequency = rule.frequency ?? ruleDefaults.frequency
  if (rule.frequency?.until && c[rule.frequency.until])
    return { pass: false, reason: `stopped: the visitor has ${rule.frequency.until} it` }
  const shows = c[frequency.per]
  const period = frequency.per === 'visitor' ? 'for this visitor' : `this ${frequency.per}`
  if (shows >= frequency.max)
    return { pass: false, reason: `shown ${shows} of ${frequency.max} times ${period}` }
  const proactive = rolled.session.proactive + alsoFiring
  if (isProactive(rule) && proactive >= ruleSet.max_proactive_per_session)
    return {
      pass: false,
      reason: `${proactive} of ${ruleSet.max_proactive_per_session} proactive messages this session`,
    }
  return { pass: true, reason: `shown ${shows} of ${frequency.max} times ${period}` }
}
