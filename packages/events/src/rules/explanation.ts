import * as z from 'zod/mini'
import { jsonBytes } from '../json-bytes.js'
import { TrustLevel } from '../trust-level.js'
import { Operator } from './operators.js'
import { RuleId, TriggerEvent } from './rule.js'
import { ruleLimits } from './rule-limits.js'
import { RuleMoney } from './rule-money.js'

const reason = /* @__PURE__ */ z.string().check(z.maxLength(ruleLimits.explainReasonMax))
const shown = /* @__PURE__ */ z.union([
  z.string().check(z.maxLength(ruleLimits.explainStringMax + 1)),
  z.number(),
  z.boolean(),
  z.null(),
  RuleMoney,
])

/** A value as an explanation shows it: strings and lists truncated (`…` marks the cut). */
export const ExplainedValue = /* @__PURE__ */ z.union([
  shown,
  z.array(shown).check(z.maxLength(ruleLimits.explainListMax + 1)),
])
export type ExplainedValue = z.infer<typeof ExplainedValue>

/** How one leaf condition fared: the fact, the operator, what was expected and seen, and why. */
export const LeafExplanation = /* @__PURE__ */ z.strictObject({
  kind: z.literal('leaf'),
  pass: z.boolean(),
  fact: z.string().check(z.maxLength(ruleLimits.idMax + 20)),
  op: Operator,
  expected: z.optional(ExplainedValue),
  actual: z.optional(ExplainedValue),
  trust: z.optional(TrustLevel),
  reason,
})
export type LeafExplanation = z.infer<typeof LeafExplanation>

/** The explanation of a condition tree, node for node. `omitted` replaces a tree too large to carry. */
export type ConditionExplanation =
  | LeafExplanation
  | {
      readonly kind: 'all' | 'any'
      readonly pass: boolean
      readonly reason: string
      readonly children: readonly ConditionExplanation[]
    }
  | {
      readonly kind: 'not'
      readonly pass: boolean
      readonly reason: string
      readonly child: ConditionExplanation
    }
  | { readonly kind: 'omitted'; readonly pass: boolean; readonly reason: string }

const omitted = /* @__PURE__ */ z.strictObject({
  kind: z.literal('omitted'),
  pass: z.boolean(),
  reason,
})

// Built level by level, like Condition, so depth is bounded by construction.
function buildConditionExplanation(): z.ZodMiniType<ConditionExplanation> {
  let schema: z.ZodMiniType<ConditionExplanation> = z.union([LeafExplanation, omitted])
  for (let depth = 2; depth <= ruleLimits.conditionDepthMax; depth++) {
    const children = z.array(schema).check(z.maxLength(ruleLimits.conditionNodesMax))
    schema = z.union([
      LeafExplanation,
      omitted,
      z.strictObject({ kind: z.enum(['all', 'any']), pass: z.boolean(), reason, children }),
      z.strictObject({ kind: z.literal('not'), pass: z.boolean(), reason, child: schema }),
    ]) as unknown as z.ZodMiniType<ConditionExplanation>
  }
  return schema
}

/** The schema of a condition explanation tree. */
export const ConditionExplanation = /* @__PURE__ */ buildConditionExplanation()

/** A pass/fail step with its reason: the trigger, the schedule. */
export const StepExplanation = /* @__PURE__ */ z.strictObject({ pass: z.boolean(), reason })
export type StepExplanation = z.infer<typeof StepExplanation>

/** Why a rule matched or not: enabled, trigger, schedule and conditions. */
export const RuleExplanation = /* @__PURE__ */ z.strictObject({
  enabled: z.boolean(),
  /** Absent when the rule was evaluated without a trigger. */
  trigger: z.optional(StepExplanation),
  /** Absent when the rule has no schedule. */
  schedule: z.optional(StepExplanation),
  conditions: ConditionExplanation,
})
export type RuleExplanation = z.infer<typeof RuleExplanation>

/** The verdict of `evaluateRule`. */
export interface Verdict {
  readonly rule_id: string
  readonly matched: boolean
  readonly reasons: RuleExplanation
}

/**
 * Which rule started a conversation and why; it travels with the conversation so that agents
 * see it. At most `ruleLimits.ruleMatchBytesMax` bytes of JSON.
 */
export const RuleMatch = /* @__PURE__ */ z
  .strictObject({
    rule_id: RuleId,
    rule_name: z.string().check(z.maxLength(ruleLimits.nameMax)),
    trigger: TriggerEvent,
    /** When the rule fired, in ms since the epoch. */
    matched_at: z.number(),
    explanation: RuleExplanation,
  })
  .check(
    z.refine((match) => jsonBytes(match) <= ruleLimits.ruleMatchBytesMax, {
      message: `larger than ${ruleLimits.ruleMatchBytesMax} bytes`,
      params: { code: 'limit_exceeded' },
    }),
  )
export type RuleMatch = z.infer<typeof RuleMatch>
