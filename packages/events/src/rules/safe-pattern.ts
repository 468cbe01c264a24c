import { ruleLimits } from './rule-limits.js'

/** Why a `matches` pattern was refused; `limit` marks a limit rather than a forbidden construct. */
export interface PatternProblem {
  readonly message: string
  readonly limit: boolean
}

class Refused {
  constructor(
    readonly message: string,
    readonly limit = false,
  ) {}
}

interface Cursor {
  readonly src: string
  i: number
}

const stepsMax = ruleLimits.patternCostMax * ruleLimits.patternInputMax

/**
 * Checks that a `matches` pattern is bounded: at most `ruleLimits.patternMax` characters, no
 * backreference, lookaround or named group, no quantifier over a group that itself repeats or
 * alternates (`(a+)+`, `(a|b)*`), and an estimated backtracking cost within
 * `ruleLimits.patternCostMax` per input position. Undefined when the pattern is acceptable.
 */
export function checkPattern(pattern: string, flags?: 'i'): PatternProblem | undefined {
  if (pattern.length > ruleLimits.patternMax)
    return { message: `pattern longer than ${ruleLimits.patternMax} characters`, limit: true }
  try {
    const cursor: Cursor = { src: pattern, i: 0 }
    const cost = alternation(cursor)
    if (cursor.i < pattern.length) throw new Refused('unbalanced parenthesis')
    // An anchored pattern is tried at one position; any other at every position of the input.
    const anchored = pattern.startsWith('^') && !hasTopLevelBar(pattern)
    if (cost * (anchored ? 1 : ruleLimits.patternInputMax) > stepsMax) throw tooCostly()
    new RegExp(pattern, flags)
    return undefined
  } catch (error) {
    if (error instanceof Refused) return { message: error.message, limit: error.limit }
    return { message: 'not a valid regular expression', limit: false }
  }
}

/** Compiles a pattern that `checkPattern` accepted; undefined for one it would not. */
export function compilePattern(pattern: string, flags?: 'i'): RegExp | undefined {
  if (checkPattern(pattern, flags)) return undefined
  return new RegExp(pattern, flags)
}

function tooCostly(): Refused {
  return new Refused(
    'pattern may backtrack too much: use fewer repetitions or anchor it with ^',
    true,
  )
}

function hasTopLevelBar(src: string): boolean {
  let depth = 0
  for (let i = 0; i < src.length; i++) {
    const c = src[i]
    if (c === '\\') i++
    else if (c === '[') i = classEnd(src, i)
    else if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === '|' && depth === 0) return true
  }
  return false
}

// Estimated backtracking cost: branches add, a sequence multiplies, a repetition of a simple atom
// multiplies by its number of choices (capped at the input length), an optional part doubles.
function alternation(c: Cursor): number {
  let total = sequence(c)
  while (c.src[c.i] === '|') {
    c.i++
    total += sequence(c)
  }
  return total
}

function sequence(c: Cursor): number {
  let cost = 1
  while (c.i < c.src.length && c.src[c.i] !== '|' && c.src[c.i] !== ')') {
    const atomCost = atom(c)
    const q = quantifier(c)
    let factor = atomCost
    if (q) {
      const choices = q.max - q.min
      if (q.max > 1 && atomCost > 1)
        throw new Refused('nested quantifier: a repeated group may not repeat or alternate inside')
      factor = q.max > 1 ? Math.min(choices + 1, ruleLimits.patternInputMax) : atomCost + choices
    }
    cost *= factor
    if (cost > ruleLimits.patternCostMax * ruleLimits.patternInputMax) throw tooCostly()
  }
  return cost
}

function atom(c: Cursor): number {
  const ch = c.src[c.i]
  if (ch === '\\') {
    const next = c.src[c.i + 1] ?? ''
    if (/[1-9]/.test(next)) throw new Refused('backreferences are not allowed')
    if (next === 'k') throw new Refused('named backreferences are not allowed')
    c.i += 2
    return 1
  }
  if (ch === '[') {
    c.i = classEnd(c.src, c.i) + 1
    if (c.i > c.src.length) throw new Refused('unterminated character class')
    return 1
  }
  if (ch === '(') {
    if (c.src[c.i + 1] === '?') {
      if (c.src[c.i + 2] !== ':') throw new Refused('lookarounds and named groups are not allowed')
      c.i += 3
    } else c.i++
    const inner = alternation(c)
    if (c.src[c.i] !== ')') throw new Refused('unbalanced parenthesis')
    c.i++
    return inner
  }
  if (ch === '*' || ch === '+' || ch === '?') throw new Refused('quantifier without a target')
  c.i++
  return 1
}

function quantifier(c: Cursor): { min: number; max: number } | undefined {
  const ch = c.src[c.i]
  let q: { min: number; max: number } | undefined
  if (ch === '*') q = { min: 0, max: Number.POSITIVE_INFINITY }
  else if (ch === '+') q = { min: 1, max: Number.POSITIVE_INFINITY }
  else if (ch === '?') q = { min: 0, max: 1 }
  if (q) c.i++
  else if (ch === '{') {
    // Outside unicode mode a brace that is not a well-formed quantifier is a literal character.
    const m = /^\{(\d+)(,(\d*))?\}/.exec(c.src.slice(c.i))
    if (!m) return undefined
    const min = Number(m[1])
    const max = m[2] === undefined ? min : m[3] ? Number(m[3]) : Number.POSITIVE_INFINITY
    q = { min, max }
    c.i += m[0].length
  }
  if (q && c.src[c.i] === '?') c.i++ // lazy: same cost
  return q
}

/** Index of the `]` closing the class that opens at `start` (or the length when unterminated). */
function classEnd(src: string, start: number): number {
  let i = start + 1
  if (src[i] === '^') i++
  while (i < src.length && src[i] !== ']') i += src[i] === '\\' ? 2 : 1
  return Math.min(i, src.length)
}
