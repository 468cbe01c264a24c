import * as z from 'zod/mini'
import { Condition } from './condition.js'
import { countConditionNodes } from './condition-tree.js'
import { isSafeEventName, isSafeId } from './fact-catalogue.js'
import { ruleLimits } from './rule-limits.js'
import { Schedule, TimeZone } from './schedule.js'

const limit = { params: { code: 'limit_exceeded' } }

/** A rule id or team name such as `checkout-help`. */
export const RuleId = /* @__PURE__ */ z
  .string()
  .check(
    z.maxLength(ruleLimits.idMax),
    z.refine(isSafeId, 'expected letters, digits, _ or - (and not a reserved word)'),
  )

const EventName = /* @__PURE__ */ z
  .string()
  .check(
    z.maxLength(ruleLimits.idMax),
    z.refine(isSafeEventName, 'expected an event name without control characters'),
  )

const seconds = (min: number) => z.number().check(z.gte(min), z.lte(ruleLimits.secondsMax))

const PathPattern = /* @__PURE__ */ z.string().check(
  z.minLength(1),
  z.maxLength(ruleLimits.pathPatternMax),
  z.refine((p) => !/\p{Cc}/u.test(p), 'control characters are not allowed'),
)

/** What starts a rule's evaluation. */
export const Trigger = /* @__PURE__ */ z.discriminatedUnion('type', [
  /** A page view, optionally only on paths matching a pattern (`*` within a segment, `**` across). */
  z.strictObject({ type: z.literal('page_view'), path: z.optional(PathPattern) }),
  /** A tracked event, such as `Product Added`. */
  z.strictObject({ type: z.literal('event'), event: EventName }),
  /** Seconds on the current page, counted while the tab is visible. */
  z.strictObject({ type: z.literal('timer'), after_s: seconds(1) }),
  /** Seconds without pointer, keyboard or scroll activity while the tab is visible. */
  z.strictObject({ type: z.literal('idle'), after_s: seconds(1) }),
  /** The pointer leaving through the top of the viewport (desktop). */
  z.strictObject({ type: z.literal('exit_intent') }),
])
export type Trigger = z.infer<typeof Trigger>

/** What happened: the event a runner evaluates rules for. */
export const TriggerEvent = /* @__PURE__ */ z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('page_view'),
    path: z.string().check(z.maxLength(ruleLimits.pathInputMax)),
  }),
  z.strictObject({ type: z.literal('event'), event: EventName }),
  z.strictObject({ type: z.literal('timer'), after_s: seconds(0) }),
  z.strictObject({ type: z.literal('idle'), after_s: seconds(0) }),
  z.strictObject({ type: z.literal('exit_intent') }),
])
export type TriggerEvent = z.infer<typeof TriggerEvent>

/** What a rule does when it fires. */
export const Action = /* @__PURE__ */ z.discriminatedUnion('type', [
  /** Shows a message from the shop next to the launcher; a reply starts a conversation. */
  z.strictObject({
    type: z.literal('proactive_message'),
    text: z.string().check(z.trim(), z.minLength(1), z.maxLength(ruleLimits.messageTextMax)),
    author: z.optional(
      z.strictObject({
        name: z.string().check(z.trim(), z.minLength(1), z.maxLength(ruleLimits.authorNameMax)),
      }),
    ),
  }),
  /** Opens the chat panel. */
  z.strictObject({ type: z.literal('open') }),
  /** Routes the conversation this rule starts to a team. */
  z.strictObject({ type: z.literal('route'), team: RuleId }),
])
export type Action = z.infer<typeof Action>

/** At most `max` shows per visitor, session or day, and none once the visitor has seen / interacted with / replied to it. */
export const Frequency = /* @__PURE__ */ z.strictObject({
  per: z.enum(['visitor', 'session', 'day']),
  max: z.int().check(z.gte(1), z.lte(ruleLimits.frequencyMax)),
  until: z.optional(z.enum(['seen', 'interacted', 'engaged'])),
})
export type Frequency = z.infer<typeof Frequency>

/** An engagement rule: data only, never code. */
export const Rule = /* @__PURE__ */ z
  .strictObject({
    id: RuleId,
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(ruleLimits.nameMax)),
    enabled: z.boolean(),
    /** Higher fires first; equal priorities keep the rule set's order. */
    priority: z.int().check(z.gte(-ruleLimits.priorityMax), z.lte(ruleLimits.priorityMax)),
    trigger: Trigger,
    conditions: Condition,
    /** Seconds to wait after the trigger (paused while the tab is hidden) before firing. */
    delay_s: z.optional(seconds(0)),
    actions: z.array(Action).check(
      z.minLength(1),
      z.maxLength(ruleLimits.actionsMax),
      z.refine((actions) => new Set(actions.map((a) => a.type)).size === actions.length, {
        message: 'an action type is listed twice',
      }),
    ),
    /** @default { per: 'session', max: 1 } */
    frequency: z.optional(Frequency),
    /** When the rule may fire, on the wall clock of a time zone. */
    schedule: z.optional(Schedule),
    /** Visitor attributes must be verified (a JWT from the shop's backend or the server API). */
    require_verified: z.optional(z.boolean()),
  })
  .check(
    z.superRefine((rule, ctx) => {
      const nodes = countConditionNodes(rule.conditions)
      if (nodes > ruleLimits.conditionNodesMax)
        ctx.addIssue({
          code: 'custom',
          path: ['conditions'],
          message: `${nodes} condition nodes, more than ${ruleLimits.conditionNodesMax}`,
          input: rule.conditions,
          ...limit,
        })
    }),
  )
export type Rule = z.infer<typeof Rule>

/** The rules of a site, with the cap on proactive messages per session. */
export const RuleSet = /* @__PURE__ */ z
  .strictObject({
    rules: z.array(Rule).check(z.maxLength(ruleLimits.rulesMax)),
    max_proactive_per_session: z.int().check(z.gte(0), z.lte(ruleLimits.proactivePerSessionMax)),
    /** Zone of the day frequency caps and of `now.*` facts. @default 'UTC' */
    time_zone: z.optional(TimeZone),
    /** The site's business hours, read by the `business_hours` fact. */
    business_hours: z.optional(Schedule),
  })
  .check(
    z.superRefine((set, ctx) => {
      const seen = new Set<string>()
      set.rules.forEach((rule, i) => {
        if (seen.has(rule.id))
          ctx.addIssue({
            code: 'custom',
            path: ['rules', i, 'id'],
            message: `duplicate rule id ${rule.id}`,
            input: rule.id,
          })
        seen.add(rule.id)
      })
    }),
  )
export type RuleSet = z.infer<typeof RuleSet>
