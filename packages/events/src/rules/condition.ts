import * as z from 'zod/mini'
import { TrustLevel } from '../trust-level.js'
import { factType, parseFact } from './fact-catalogue.js'
import { isMoney } from './facts.js'
import {
  type Operator,
  Operator as OperatorSchema,
  operandOf,
  operatorsByType,
} from './operators.js'
import { ruleLimits } from './rule-limits.js'
import { RuleMoney } from './rule-money.js'
import { checkPattern } from './safe-pattern.js'

const Scalar = /* @__PURE__ */ z.union([
  z.string().check(z.maxLength(ruleLimits.stringValueMax)),
  z.number(),
  z.boolean(),
  RuleMoney,
])
const LeafValue = /* @__PURE__ */ z.union([
  Scalar,
  z.array(Scalar).check(z.maxLength(ruleLimits.listMax)),
])

type Kind = 'string' | 'number' | 'boolean' | 'money' | 'primitive'
type Ctx = z.core.$RefinementCtx<ConditionLeaf>

function kindOf(value: unknown): Kind | undefined {
  if (isMoney(value)) return 'money'
  const t = typeof value
  return t === 'string' || t === 'number' || t === 'boolean' ? t : undefined
}

function fits(value: unknown, kind: Kind, members?: readonly string[]): boolean {
  const k = kindOf(value)
  if (kind === 'primitive') return k !== undefined && k !== 'money'
  if (k !== kind) return false
  return !members || members.includes(value as string)
}

// The comparand type an operator expects on a fact of a given type.
function expectedKind(type: string, op: Operator): Kind {
  switch (type) {
    case 'string':
    case 'enum':
      return 'string'
    case 'number':
      return 'number'
    case 'money':
      return 'money'
    case 'bool':
      return 'boolean'
    default:
      if (op === 'eq' || op === 'neq' || op === 'in' || op === 'not_in') return 'primitive'
      return op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte' || op === 'between'
        ? 'number'
        : 'string'
  }
}

function compareSame(a: unknown, b: unknown): number {
  if (isMoney(a) && isMoney(b)) return a.amount - b.amount
  return (a as number) - (b as number)
}

function checkLeaf(leaf: ConditionLeaf, ctx: Ctx): void {
  const issue = (path: string, message: string, limit = false) =>
    ctx.addIssue({
      code: 'custom',
      path: [path],
      message,
      input: leaf,
      ...(limit ? { params: { code: 'limit_exceeded' } } : {}),
    })
  const ref = parseFact(leaf.fact)
  if (!ref) {
    issue('fact', `unknown fact ${JSON.stringify(leaf.fact)} (see docs/rules.md for the catalogue)`)
    return
  }
  const { type, values } = factType(ref)
  const allowed = operatorsByType[type]
  if (!allowed.includes(leaf.op)) {
    issue(
      'op',
      `operator ${leaf.op} is not allowed for ${leaf.fact} (${type}); use one of ${allowed.join(', ')}`,
    )
    return
  }
  if (leaf.flags !== undefined && leaf.op !== 'matches')
    issue('flags', 'flags apply to matches only')
  const operand = operandOf(leaf.op)
  const value = leaf.value
  const kind = expectedKind(type, leaf.op)
  const want = `${kind === 'primitive' ? 'a string, number or boolean' : `a ${kind}`}${
    values ? ` (one of ${values.join(', ')})` : ''
  }`
  switch (operand) {
    case 'none':
      if (value !== undefined) issue('value', `${leaf.op} takes no value`)
      return
    case 'one':
    case 'pattern':
      if (!fits(value, kind, values)) issue('value', `expected ${want}`)
      else if (operand === 'pattern') {
        const problem = checkPattern(value as string, leaf.flags)
        if (problem) issue('value', problem.message, problem.limit)
      }
      return
    case 'pair': {
      const [low, high] = Array.isArray(value) ? value : []
      if (!Array.isArray(value) || value.length !== 2 || !fits(low, kind) || !fits(high, kind))
        issue('value', `expected [low, high], each ${want}`)
      else if (isMoney(low) && isMoney(high) && low.currency !== high.currency)
        issue('value', `bounds in two currencies: ${low.currency} and ${high.currency}`)
      else if (compareSame(low, high) > 0) issue('value', 'low is above high')
      return
    }
    case 'list':
      if (!Array.isArray(value) || value.length === 0 || !value.every((v) => fits(v, kind, values)))
        issue('value', `expected a non-empty list, each ${want}`)
      return
  }
}

const LeafShape = /* @__PURE__ */ z.strictObject({
  fact: z.string().check(z.maxLength(ruleLimits.idMax + 20)),
  op: OperatorSchema,
  value: z.optional(LeafValue),
  /** The weakest trust the fact's value may have; weaker values fail the condition. */
  trust: z.optional(TrustLevel),
  /** `i` makes `matches` ignore case; no other flag is allowed. */
  flags: z.optional(z.literal('i')),
})
export type ConditionLeaf = z.infer<typeof LeafShape>

/** A comparison of one fact with a value: `{ fact: 'cart.value', op: 'gt', value: { amount: 100, currency: 'EUR' } }`. */
export const ConditionLeaf = /* @__PURE__ */ LeafShape.check(z.superRefine(checkLeaf))

/** A condition tree: leaves combined with `all`, `any` and `not`, bounded in depth and size. */
export type Condition =
  | ConditionLeaf
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition }

// `never` rather than a custom check, so that the JSON Schema says it too; decodeRules maps
// this message to limit_exceeded.
export const tooDeepMessage = `conditions nest deeper than ${ruleLimits.conditionDepthMax} levels`
const tooDeep = /* @__PURE__ */ z.never({ message: tooDeepMessage })

// The tree is built one level at a time rather than with z.lazy, so that the depth limit is
// structural: no input, however deep, makes the parser recurse past it. The branch order
// (leaf, all, any, not) is the same at every level; decodeRules relies on it for messages.
function level(child: z.ZodMiniType<Condition> | undefined): z.ZodMiniType<Condition> {
  const list = child
    ? z.array(child).check(z.maxLength(ruleLimits.conditionNodesMax))
    : z.array(tooDeep)
  return z.union([
    ConditionLeaf,
    z.strictObject({ all: list }),
    z.strictObject({ any: list }),
    z.strictObject({ not: child ?? tooDeep }),
  ]) as unknown as z.ZodMiniType<Condition>
}

function buildCondition(): z.ZodMiniType<Condition> {
  let schema = level(undefined)
  for (let depth = 2; depth <= ruleLimits.conditionDepthMax; depth++) schema = level(schema)
  return schema
}

/** The schema of a condition tree. */
export const Condition = /* @__PURE__ */ buildCondition()
