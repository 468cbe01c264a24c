import type { Condition } from './condition.js'

/** Whether a condition is an `all` combinator (own property checks only: conditions are data). */
export function isAll(c: Condition): c is { readonly all: readonly Condition[] } {
  return Object.hasOwn(c, 'all')
}

/** Whether a condition is an `any` combinator. */
export function isAny(c: Condition): c is { readonly any: readonly Condition[] } {
  return Object.hasOwn(c, 'any')
}

/** Whether a condition is a `not` combinator. */
export function isNot(c: Condition): c is { readonly not: Condition } {
  return Object.hasOwn(c, 'not')
}

/** Number of nodes (combinators and leaves) in a condition tree. */
export function countConditionNodes(condition: Condition): number {
  let count = 0
  const stack: Condition[] = [condition]
  for (let node = stack.pop(); node; node = stack.pop()) {
    count++
    if (isAll(node)) stack.push(...node.all)
    else if (isAny(node)) stack.push(...node.any)
    else if (isNot(node)) stack.push(node.not)
  }
  return count
}

/** The branch of the condition union a raw value was meant for, or -1 if it is not a condition. */
export function conditionBranch(value: unknown): number {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return -1
  if (Object.hasOwn(value, 'all')) return 1
  if (Object.hasOwn(value, 'any')) return 2
  if (Object.hasOwn(value, 'not')) return 3
  return Object.hasOwn(value, 'fact') || Object.hasOwn(value, 'op') ? 0 : -1
}
