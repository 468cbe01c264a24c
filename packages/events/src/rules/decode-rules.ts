import type * as z from 'zod/mini'
import { tooDeepMessage } from './condition.js'
import { conditionBranch } from './condition-tree.js'
import { Rule, RuleSet } from './rule.js'

/** Why a rule or rule set was refused: a stable code, the path of the offending value, a message that names both. */
export interface RuleSchemaError {
  readonly code: 'invalid_argument' | 'limit_exceeded'
  /** Dotted path of the offending value, such as `rules.0.conditions.all.1.op`. */
  readonly path: string
  readonly message: string
}

export type RuleDecoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: RuleSchemaError }

type Issue = z.core.$ZodIssue
type Path = readonly PropertyKey[]

function at(input: unknown, path: Path): unknown {
  let node = input
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined
    node = (node as Record<PropertyKey, unknown>)[key]
  }
  return node
}

// A union reports every branch's issues. For a condition, keep those of the branch its keys
// point at (`all`, `any`, `not`, or a leaf); for other unions, the branch that got furthest.
function innermost(issue: Issue, input: unknown): { issue: Issue; path: Path } {
  let current = issue
  let path: Path = issue.path
  while (current.code === 'invalid_union') {
    const branch = conditionBranch(at(input, path))
    const next =
      branch >= 0
        ? current.errors[branch]?.[0]
        : current.errors
            .map((e) => e[0])
            .find((e) => e && e.code !== 'invalid_type' && e.code !== 'invalid_union')
    if (!next) break
    current = next
    path = [...path, ...next.path]
  }
  return { issue: current, path }
}

// zod/mini ships no messages (they would weigh on the widget), so the built-in ones are written here.
function describe(issue: Issue, path: Path): string {
  switch (issue.code) {
    case 'too_big':
      return `${issue.origin === 'string' ? 'longer than' : issue.origin === 'array' ? 'more items than' : 'above'} ${issue.maximum}`
    case 'too_small':
      return `${issue.origin === 'string' ? 'shorter than' : issue.origin === 'array' ? 'fewer items than' : 'below'} ${issue.minimum}`
    case 'invalid_type':
      return `expected ${issue.expected}`
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
    case 'unrecognized_keys':
      return `unknown key ${issue.keys.join(', ')}`
    case 'invalid_union':
      return path.at(-1) === 'value'
        ? 'expected a string, number, boolean, money or a list of them'
        : 'expected a condition: { all: [...] }, { any: [...] }, { not: ... } or { fact, op, value }'
    case 'invalid_format':
      return `expected ${issue.format === 'regex' ? 'another format' : issue.format}`
    default:
      return issue.message
  }
}

function toError(issue: Issue, path: Path): RuleSchemaError {
  const where = path.map(String).join('.')
  const params = issue.code === 'custom' ? issue.params : undefined
  const tooDeep = issue.code === 'invalid_type' && issue.message === tooDeepMessage
  const limited = issue.code === 'too_big' || params?.code === 'limit_exceeded' || tooDeep
  const custom =
    tooDeep ||
    issue.code === 'custom' ||
    (issue.code === 'invalid_format' && issue.message !== 'Invalid input')
  const message = custom ? issue.message : describe(issue, path)
  return {
    code: limited ? 'limit_exceeded' : 'invalid_argument',
    path: where,
    message: where ? `${where}: ${message}` : message,
  }
}

function decodeWith<S extends z.ZodMiniType>(schema: S, input: unknown): RuleDecoded<z.output<S>> {
  try {
    const result = schema.safeParse(input)
    if (result.success) return { ok: true, value: result.data }
    const first = result.error.issues[0]
    if (!first)
      return {
        ok: false,
        error: toError({ code: 'custom', message: 'invalid', path: [] } as Issue, []),
      }
    const { issue, path } = innermost(first, input)
    return { ok: false, error: toError(issue, path) }
  } catch {
    // Only hostile inputs get here (getters that throw, proxies): refuse them like any other.
    return {
      ok: false,
      error: { code: 'invalid_argument', path: '', message: 'input is not plain JSON data' },
    }
  }
}

/** Validates an untrusted rule set; never throws. */
export function decodeRuleSet(input: unknown): RuleDecoded<RuleSet> {
  return decodeWith(RuleSet, input)
}

/** Validates one untrusted rule; never throws. */
export function decodeRule(input: unknown): RuleDecoded<Rule> {
  return decodeWith(Rule, input)
}
