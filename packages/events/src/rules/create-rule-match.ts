import { jsonBytes } from '../json-bytes.js'
import type { ConditionExplanation, RuleMatch, Verdict } from './explanation.js'
import type { TriggerEvent } from './rule.js'
import { ruleLimits } from './rule-limits.js'

function withoutValues(node: ConditionExplanation): ConditionExplanation {
  switch (node.kind) {
    case 'leaf': {
      const { expected: _e, actual: _a, ...rest } = node
      return rest
    }
    case 'all':
    case 'any':
      return { ...node, children: node.children.map(withoutValues) }
    case 'not':
      return { ...node, child: withoutValues(node.child) }
    case 'omitted':
      return node
  }
}

/**
 * Builds the `RuleMatch` of a fired rule, within the size cap: when the full explanation is too
 * large, leaves lose their values (the reasons keep them), then the tree becomes one `omitted` node.
 */
export function createRuleMatch(
  rule: { readonly id: string; readonly name: string },
  verdict: Verdict,
  trigger: TriggerEvent,
  now: number,
): RuleMatch {
  const base = { rule_id: rule.id, rule_name: rule.name, trigger, matched_at: now }
  const full: RuleMatch = { ...base, explanation: verdict.reasons }
  if (jsonBytes(full) <= ruleLimits.ruleMatchBytesMax) return full
  const conditions = verdict.reasons.conditions
  const lean: RuleMatch = {
    ...base,
    explanation: { ...verdict.reasons, conditions: withoutValues(conditions) },
  }
  if (jsonBytes(lean) <= ruleLimits.ruleMatchBytesMax) return lean
  return {
    ...base,
    explanation: {
      ...verdict.reasons,
      conditions: {
        kind: 'omitted',
        pass: conditions.pass,
        reason: 'explanation too large to carry',
      },
    },
  }
}
