import { trustAtLeast } from '../trust-level.js'
import type { Condition, ConditionLeaf } from './condition.js'
import { isAll, isAny, isNot } from './condition-tree.js'
import type {
  ConditionExplanation,
  ExplainedValue,
  LeafExplanation,
  StepExplanation,
  Verdict,
} from './explanation.js'
import { parseFact } from './fact-catalogue.js'
import { type Facts, type FactValue, isMoney, resolveFact } from './facts.js'
import { inSchedule } from './local-time.js'
import type { Operator } from './operators.js'
import { matchPath } from './path-glob.js'
import type { Rule, Trigger, TriggerEvent } from './rule.js'
import { ruleLimits } from './rule-limits.js'
import type { RuleMoney } from './rule-money.js'

type Operand = ConditionLeaf['value']
type Scalar = string | number | boolean | RuleMoney

interface Scope {
  readonly facts: Facts
  readonly rule: Rule
  readonly now: number
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}

type Shown = Exclude<ExplainedValue, readonly unknown[]>

function explainScalar(value: Scalar): Shown {
  if (typeof value === 'string') return cut(value, ruleLimits.explainStringMax)
  return isMoney(value) ? { amount: value.amount, currency: value.currency } : value
}

/** A value as an explanation carries it: long strings and lists cut, `…` marking the cut. */
function explainValue(value: Operand | FactValue): ExplainedValue | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value)) return explainScalar(value as Scalar)
  const head = (value as Scalar[]).slice(0, ruleLimits.explainListMax).map(explainScalar)
  return value.length > ruleLimits.explainListMax ? [...head, '…'] : head
}

function show(value: Operand | FactValue): string {
  if (Array.isArray(value)) {
    const head = value.slice(0, ruleLimits.explainListMax).map(show)
    return `[${head.join(', ')}${value.length > head.length ? ', …' : ''}]`
  }
  if (isMoney(value)) return `${value.amount} ${value.currency}`
  if (typeof value === 'string') return JSON.stringify(cut(value, ruleLimits.explainStringMax))
  return String(value)
}

const symbols: Readonly<Record<Operator, string>> = {
  eq: '=',
  neq: '!=',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  between: 'between',
  in: 'in',
  not_in: 'not in',
  contains: 'contains',
  starts_with: 'starts with',
  ends_with: 'ends with',
  matches: 'matches',
  exists: 'exists',
  is_true: 'is true',
  is_false: 'is false',
}

function kindOf(value: Scalar): string {
  return isMoney(value) ? 'money' : typeof value
}

/** Why two values cannot be compared (type or currency), or undefined when they can. */
function mismatch(actual: Scalar, expected: Scalar): string | undefined {
  if (isMoney(actual) && isMoney(expected)) {
    if (!actual.currency) return `no currency on the value, ${expected.currency} expected`
    return actual.currency === expected.currency
      ? undefined
      : `currency mismatch: ${actual.currency} vs ${expected.currency}`
  }
  const a = kindOf(actual)
  const e = kindOf(expected)
  return a === e ? undefined : `type mismatch: ${a} vs ${e}`
}

function amount(value: Scalar): number {
  return isMoney(value) ? value.amount : (value as number)
}

function same(a: Scalar, b: Scalar): boolean {
  return isMoney(a) && isMoney(b) ? a.amount === b.amount && a.currency === b.currency : a === b
}

// The schema refused unsafe patterns when the rule was decoded (checkPattern); re-checking them
// here would ship the checker to every page view for nothing.
// Compiled once per pattern, not on every evaluation: a rule set holds at most
// rulesMax × conditionNodesMax patterns, so the cache is capped there (oldest out first).
// Without the `g` or `y` flag a RegExp keeps no state between tests, so sharing one is safe.
const compiled = new Map<string, RegExp | undefined>()
const compiledMax = ruleLimits.rulesMax * ruleLimits.conditionNodesMax

function toRegExp(pattern: string, flags: 'i' | undefined): RegExp | undefined {
  const key = `${flags ?? ''}/${pattern}`
  if (compiled.has(key)) return compiled.get(key)
  let regExp: RegExp | undefined
  try {
    regExp = new RegExp(pattern, flags)
  } catch {
    regExp = undefined
  }
  if (compiled.size >= compiledMax) compiled.delete(compiled.keys().next().value as string)
  compiled.set(key, regExp)
  return regExp
}

/** Applies an operator with a value to a present fact: pass/fail, or why they cannot compare. */
function apply(
  op: Operator,
  actual: Scalar,
  value: Operand,
  flags: 'i' | undefined,
): { pass: boolean; why?: string } {
  switch (op) {
    case 'exists':
      return { pass: true }
    case 'is_true':
    case 'is_false':
      if (typeof actual !== 'boolean')
        return { pass: false, why: `type mismatch: ${kindOf(actual)} vs boolean` }
      return { pass: actual === (op === 'is_true') }
    case 'in':
    case 'not_in': {
      const list = (Array.isArray(value) ? value : []) as Scalar[]
      const comparable = list.filter((v) => !mismatch(actual, v))
      const first = list[0]
      if (comparable.length === 0)
        return {
          pass: false,
          why: first === undefined ? 'empty list' : (mismatch(actual, first) ?? ''),
        }
      const found = comparable.some((v) => same(actual, v))
      return { pass: op === 'in' ? found : !found }
    }
    case 'between': {
      const [low, high] = (Array.isArray(value) ? value : []) as Scalar[]
      if (low === undefined || high === undefined)
        return { pass: false, why: 'expected [low, high]' }
      const why = mismatch(actual, low) ?? mismatch(actual, high)
      if (why) return { pass: false, why }
      return { pass: amount(actual) >= amount(low) && amount(actual) <= amount(high) }
    }
    case 'matches': {
      if (typeof actual !== 'string')
        return { pass: false, why: `type mismatch: ${kindOf(actual)} vs string` }
      const regex = typeof value === 'string' ? toRegExp(value, flags) : undefined
      if (!regex) return { pass: false, why: 'pattern refused' }
      return { pass: regex.test(actual.slice(0, ruleLimits.patternInputMax)) }
    }
    default: {
      const expected = value as Scalar
      const why = mismatch(actual, expected)
      if (why) return { pass: false, why }
      switch (op) {
        case 'eq':
          return { pass: same(actual, expected) }
        case 'neq':
          return { pass: !same(actual, expected) }
        case 'gt':
          return { pass: amount(actual) > amount(expected) }
        case 'gte':
          return { pass: amount(actual) >= amount(expected) }
        case 'lt':
          return { pass: amount(actual) < amount(expected) }
        case 'lte':
          return { pass: amount(actual) <= amount(expected) }
        case 'contains':
          return { pass: (actual as string).includes(expected as string) }
        case 'starts_with':
          return { pass: (actual as string).startsWith(expected as string) }
        case 'ends_with':
          return { pass: (actual as string).endsWith(expected as string) }
      }
      return { pass: false, why: `unknown operator ${op}` }
    }
  }
}

function evaluateLeaf(leaf: ConditionLeaf, scope: Scope): LeafExplanation {
  const expected = explainValue(leaf.value)
  const node = {
    kind: 'leaf' as const,
    fact: leaf.fact,
    op: leaf.op,
    ...(expected === undefined ? {} : { expected }),
  }
  const done = (
    pass: boolean,
    reason: string,
    extra?: Partial<LeafExplanation>,
  ): LeafExplanation => ({
    ...node,
    ...extra,
    pass,
    reason: cut(reason, ruleLimits.explainReasonMax - 1),
  })
  const ref = parseFact(leaf.fact)
  if (!ref) return done(false, `unknown fact ${leaf.fact}`)
  const seen = resolveFact(scope.facts, ref, scope.rule, scope.now)
  if (seen.value === undefined) {
    return done(false, `${leaf.fact} is absent`)
  }
  const actual = explainValue(seen.value)
  const extra = { trust: seen.trust, ...(actual === undefined ? {} : { actual }) }
  // require_verified makes every visitor attribute need a verified value, the strongest level.
  const required = scope.rule.require_verified && ref.kind === 'visitor' ? 'verified' : leaf.trust
  if (required && !trustAtLeast(seen.trust, required))
    return done(false, `requires ${required}, got ${seen.trust}`, extra)
  const outcome = apply(leaf.op, seen.value, leaf.value, leaf.flags)
  if (outcome.why) return done(false, outcome.why, extra)
  const symbol = symbols[leaf.op]
  let text: string
  if (leaf.op === 'exists') text = `${leaf.fact} exists`
  else if (leaf.op === 'is_true' || leaf.op === 'is_false')
    text = `${leaf.fact} is ${show(seen.value)}`
  else {
    const operand =
      leaf.op === 'between' && Array.isArray(leaf.value)
        ? `${show(leaf.value[0] as Scalar)} and ${show(leaf.value[1] as Scalar)}`
        : show(leaf.value)
    text = `${leaf.fact} ${show(seen.value)} ${outcome.pass ? '' : 'not '}${symbol} ${operand}`
  }
  return done(outcome.pass, text, extra)
}

function evaluateNode(condition: Condition, scope: Scope): ConditionExplanation {
  if (isNot(condition)) {
    const child = evaluateNode(condition.not, scope)
    return {
      kind: 'not',
      pass: !child.pass,
      reason: cut(`not (${child.reason})`, ruleLimits.explainReasonMax - 1),
      child,
    }
  }
  const combinator = isAll(condition) ? 'all' : isAny(condition) ? 'any' : undefined
  if (!combinator) return evaluateLeaf(condition as ConditionLeaf, scope)
  const list = isAll(condition) ? condition.all : isAny(condition) ? condition.any : []
  const children = list.map((c) => evaluateNode(c, scope))
  const passed = children.filter((c) => c.pass).length
  const n = children.length
  const pass = combinator === 'all' ? passed === n : passed > 0
  const reason =
    n === 0
      ? combinator === 'all'
        ? 'no conditions'
        : 'no alternatives'
      : `${passed} of ${n} passed${combinator === 'all' ? ', all needed' : ', one needed'}`
  return { kind: combinator, pass, reason, children }
}

function describeTrigger(t: Trigger | TriggerEvent): string {
  switch (t.type) {
    case 'page_view':
      return t.path === undefined ? 'a page view' : `a page view of ${t.path}`
    case 'event':
      return `event ${JSON.stringify(t.event)}`
    case 'timer':
      return `${t.after_s} s on the page`
    case 'idle':
      return `${t.after_s} s idle`
    case 'exit_intent':
      return 'exit intent'
  }
}

/** Whether an event is the one a rule's trigger waits for, with a one-line reason. */
export function matchTrigger(trigger: Trigger, event: TriggerEvent): StepExplanation {
  const got = describeTrigger(event)
  const step = (pass: boolean, reason: string): StepExplanation => ({
    pass,
    reason: cut(reason, ruleLimits.explainReasonMax - 1),
  })
  if (trigger.type === 'page_view' && event.type === 'page_view') {
    if (trigger.path === undefined) return step(true, got)
    return matchPath(trigger.path, event.path)
      ? step(true, `${got} matches ${trigger.path}`)
      : step(false, `${got} does not match ${trigger.path}`)
  }
  const pass =
    (trigger.type === 'event' && event.type === 'event' && trigger.event === event.event) ||
    (trigger.type === 'timer' && event.type === 'timer' && trigger.after_s === event.after_s) ||
    (trigger.type === 'idle' && event.type === 'idle' && trigger.after_s === event.after_s) ||
    (trigger.type === 'exit_intent' && event.type === 'exit_intent')
  return pass ? step(true, got) : step(false, `waits for ${describeTrigger(trigger)}, got ${got}`)
}

/**
 * Evaluates a rule, purely: whether it is enabled, its trigger matches `trigger` (when given), `now`
 * is in its schedule, and its conditions hold, each part explained.
 *
 * @example
 * const verdict = evaluateRule(rule, { cart: { value: 120, currency: 'EUR', item_count: 2 } }, Date.now())
 * verdict.reasons.conditions // { kind: 'leaf', pass: true, reason: 'cart.value 120 EUR > 100 EUR', ... }
 */
export function evaluateRule(
  rule: Rule,
  facts: Facts,
  now: number,
  trigger?: TriggerEvent,
): Verdict {
  const triggerStep = trigger ? matchTrigger(rule.trigger, trigger) : undefined
  const scheduleStep = rule.schedule ? inSchedule(rule.schedule, now) : undefined
  const schedule = scheduleStep && {
    pass: scheduleStep.pass,
    reason: cut(scheduleStep.reason, ruleLimits.explainReasonMax - 1),
  }
  const conditions = evaluateNode(rule.conditions, { facts, rule, now })
  return {
    rule_id: rule.id,
    matched:
      rule.enabled && (triggerStep?.pass ?? true) && (schedule?.pass ?? true) && conditions.pass,
    reasons: {
      enabled: rule.enabled,
      ...(triggerStep ? { trigger: triggerStep } : {}),
      ...(schedule ? { schedule } : {}),
      conditions,
    },
  }
}
