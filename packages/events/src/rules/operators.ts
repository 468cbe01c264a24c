import * as z from 'zod/mini'
import type { FactType } from './fact-catalogue.js'

/** Every condition operator; which ones a fact accepts depends on its type (`operatorsByType`). */
export const Operator = /* @__PURE__ */ z.enum([
  'eq',
  'neq',
  'in',
  'not_in',
  'contains',
  'starts_with',
  'ends_with',
  'matches',
  'exists',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'is_true',
  'is_false',
])
export type Operator = z.infer<typeof Operator>

const numeric = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'in', 'exists'] as const
const text = [
  'eq',
  'neq',
  'in',
  'not_in',
  'contains',
  'starts_with',
  'ends_with',
  'matches',
  'exists',
] as const

/** The operators each fact type allows; a leaf using any other is a schema error. */
export const operatorsByType: Readonly<Record<FactType, readonly Operator[]>> = {
  string: text,
  number: numeric,
  money: numeric,
  bool: ['eq', 'is_true', 'is_false', 'exists'],
  enum: ['eq', 'neq', 'in', 'not_in', 'exists'],
  // A visitor attribute is whatever primitive the site set: the operand says which comparison.
  attribute: [...text, 'gt', 'gte', 'lt', 'lte', 'between', 'is_true', 'is_false'],
}

/** The operand an operator takes: none, one value, a [low, high] pair, a list, or a pattern. */
export function operandOf(op: Operator): 'none' | 'one' | 'pair' | 'list' | 'pattern' {
  switch (op) {
    case 'exists':
    case 'is_true':
    case 'is_false':
      return 'none'
    case 'between':
      return 'pair'
    case 'in':
    case 'not_in':
      return 'list'
    case 'matches':
      return 'pattern'
    default:
      return 'one'
  }
}
