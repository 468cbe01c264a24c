import { evaluateRule, matchTrigger } from './evaluate-rule.js'
import type { Verdict } from './explanation.js'
import type { Facts } from './facts.js'
import type { Rule, RuleSet, TriggerEvent } from './rule.js'
import { checkCaps, isProactive } from './rule-caps.js'
import type { RuleState } from './rule-state.js'

/** A rule chosen to fire, with the verdict that explains why. */
export interface Selection {
  readonly rule: Rule
  readonly verdict: Verdict
}

/**
 * The rules to fire for a trigger, highest priority first (ties keep the rule set's order): enabled,
 * matching, within their schedule and frequency caps, and within the session's proactive cap,
 * counting the proactive rules selected before them. Pure: record what fires with `recordShown`.
 */
export function selectRules(
  ruleSet: RuleSet,
  facts: Facts,
  state: RuleState,
  trigger: TriggerEvent,
  now: number,
): Selection[] {
  const ordered = ruleSet.rules
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => b.rule.priority - a.rule.priority || a.index - b.index)
  const selected: Selection[] = []
  let proactive = 0
  for (const { rule } of ordered) {
    // Cheap tests first: most rules wait for another trigger.
    if (!rule.enabled || !matchTrigger(rule.trigger, trigger).pass) continue
    const verdict = evaluateRule(rule, facts, now, trigger)
    if (!verdict.matched || !checkCaps(ruleSet, state, rule, now, proactive).pass) continue
    selected.push({ rule, verdict })
    if (isProactive(rule)) proactive++
  }
  return selected
}
