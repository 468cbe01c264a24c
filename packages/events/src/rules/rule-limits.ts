/**
 * Limits on engagement rules, enforced by the rule schemas (`limit_exceeded` when passed) and
 * by the evaluator. Documented in docs/rules.md ("Limits").
 */
export const ruleLimits = {
  /** Rules in one rule set. */
  rulesMax: 100,
  /** Characters in a rule id, team name, attribute key or event name. */
  idMax: 64,
  /** Characters in a rule name. */
  nameMax: 100,
  /** Levels of `all`/`any`/`not` nesting, the leaf included: `{ all: [leaf] }` is 2 deep. */
  conditionDepthMax: 6,
  /** Condition nodes (combinators and leaves) in one rule. */
  conditionNodesMax: 50,
  /** Values in the list of an `in`/`not_in` operator. */
  listMax: 50,
  /** Characters in a string compared by an operator. */
  stringValueMax: 500,
  /** Characters in a `matches` pattern. */
  patternMax: 200,
  /** Characters of the fact value a `matches` pattern reads; the rest is ignored. */
  patternInputMax: 256,
  /** Estimated backtracking steps per input position a `matches` pattern may cost (see docs). */
  patternCostMax: 65_536,
  /** Characters in a page-view path pattern. */
  pathPatternMax: 200,
  /** Characters of a page path a page-view pattern reads. */
  pathInputMax: 2_048,
  /** Seconds for `timer`/`idle` triggers and `delay_s`. */
  secondsMax: 3_600,
  /** Actions in one rule (at most one of each type). */
  actionsMax: 3,
  /** Characters in a proactive message, after trimming. */
  messageTextMax: 500,
  /** Characters in a proactive message's author name. */
  authorNameMax: 80,
  /** Shows in one frequency cap period. */
  frequencyMax: 100,
  /** Absolute value of a rule's priority. */
  priorityMax: 1_000_000,
  /** Value of a rule set's `max_proactive_per_session`. */
  proactivePerSessionMax: 100,
  /** Windows in one schedule. */
  windowsMax: 14,
  /** Characters in an IANA time zone name. */
  timeZoneMax: 64,
  /** Characters of a string value shown in an explanation. */
  explainStringMax: 64,
  /** Items of a list value shown in an explanation. */
  explainListMax: 5,
  /** Characters in an explanation's reason. */
  explainReasonMax: 160,
  /** Bytes of a `RuleMatch` serialised as JSON (UTF-8). */
  ruleMatchBytesMax: 16_384,
  /** Rules remembered in a `RuleState`; the oldest entries are dropped beyond it. */
  stateRulesMax: 200,
} as const

/** Defaults applied where a rule or rule set leaves a setting out. */
export const ruleDefaults = {
  /** Frequency cap of a rule that has none: once per session. */
  frequency: { per: 'session', max: 1 },
  /** Time zone of a rule set that names none (day caps, `now.*` facts). */
  timeZone: 'UTC',
  /** A session ends after this long without a trigger (the Google Analytics convention). */
  sessionIdleMs: 30 * 60_000,
} as const
