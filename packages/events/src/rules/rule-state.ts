import * as z from 'zod/mini'
import { RuleId } from './rule.js'
import { ruleLimits } from './rule-limits.js'

const Count = /* @__PURE__ */ z.int().check(z.gte(0))

/** What a visitor did with one rule: shows per period, and whether they saw, interacted with, replied to it. */
export const RuleCounters = /* @__PURE__ */ z.strictObject({
  visitor: Count,
  session: Count,
  day: Count,
  /** Last show, ms since the epoch. */
  last_at: z.number(),
  seen: z.optional(z.boolean()),
  interacted: z.optional(z.boolean()),
  engaged: z.optional(z.boolean()),
})
export type RuleCounters = z.infer<typeof RuleCounters>

/**
 * The rule history of one visitor, as plain JSON for any storage. A session ends after
 * `ruleDefaults.sessionIdleMs` without a trigger; a day is a calendar day in the rule set's zone.
 */
export const RuleState = /* @__PURE__ */ z.strictObject({
  session: z.strictObject({ started_at: z.number(), last_at: z.number(), proactive: Count }),
  /** `YYYY-MM-DD` of the day the `day` counters count. */
  day: z.string().check(z.maxLength(10)),
  rules: z.record(RuleId, RuleCounters).check(
    z.refine((rules) => Object.keys(rules).length <= ruleLimits.stateRulesMax, {
      message: `more than ${ruleLimits.stateRulesMax} rules`,
      params: { code: 'limit_exceeded' },
    }),
  ),
})
export type RuleState = z.infer<typeof RuleState>
