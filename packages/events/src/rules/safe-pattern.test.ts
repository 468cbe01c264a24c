import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ruleLimits } from './rule-limits.js'
import { checkPattern, compilePattern } from './safe-pattern.js'

const adversarial = [
  'a'.repeat(ruleLimits.patternInputMax),
  `${'1'.repeat(255)}!`,
  `${'ab'.repeat(128)}`,
]

function worstCaseMs(pattern: string): number {
  const regex = compilePattern(pattern)
  if (!regex) throw new Error(`refused: ${pattern}`)
  const start = performance.now()
  for (const input of adversarial) regex.test(input.slice(0, ruleLimits.patternInputMax))
  return performance.now() - start
}

describe('checkPattern', () => {
  it.each([
    '^/checkout',
    '^/(?:fr|de|es)/products/[^/]+$',
    '\\.pdf$',
    '^https?://[^/]+/c/.+/p/',
    'utm_source=(?:google|bing)',
    '[0-9]{2,4}',
    '^/product/\\d+(?:/reviews)?$',
    'a{3}b?c',
  ])('accepts the everyday pattern %s', (pattern) => {
    expect(checkPattern(pattern)).toBeUndefined()
  })

  it.each([
    ['(a+)+', 'nested quantifier'],
    ['(?:a*)*', 'nested quantifier'],
    ['(a|a)*', 'nested quantifier'],
    ['((ab)+c)+', 'nested quantifier'],
    ['(x+x+)+y', 'nested quantifier'],
    ['(a)\\1', 'backreferences'],
    ['(?<n>a)\\k<n>', 'lookarounds and named groups'],
    ['\\k', 'named backreferences'],
    ['a(?=b)', 'lookarounds'],
    ['a(?!b)', 'lookarounds'],
    ['(?<!a)b', 'lookarounds'],
    ['a)', 'unbalanced'],
    ['[a-', 'unterminated'],
    ['*a', 'quantifier without a target'],
    ['\\d*\\d*\\d*x', 'backtrack too much'],
    ['a?'.repeat(40), 'backtrack too much'],
    ['(?:a|b|c|d)'.repeat(10), 'backtrack too much'],
  ])('refuses %s', (pattern, message) => {
    expect(checkPattern(pattern)?.message).toContain(message)
  })

  it('refuses a pattern over the length limit as a limit', () => {
    expect(checkPattern('a'.repeat(ruleLimits.patternMax + 1))).toMatchObject({ limit: true })
    expect(checkPattern('a'.repeat(ruleLimits.patternMax))).toBeUndefined()
  })

  it('allows anchored patterns more repetition than unanchored ones', () => {
    expect(checkPattern('\\d*\\d*\\d*x')).toBeDefined()
    expect(checkPattern('^\\d*\\d*x')).toBeUndefined()
  })

  it('keeps the worst accepted patterns fast on hostile input', () => {
    for (const pattern of ['\\d*\\d*x', '^\\d*\\d*\\d*x', '.*.*=x', 'a{0,50}a{0,50}b'])
      if (!checkPattern(pattern)) expect(worstCaseMs(pattern)).toBeLessThan(1_000)
  })

  it('property: every accepted pattern runs fast on hostile input', () => {
    const atom = fc.constantFrom('a', '1', '.', '\\d', '\\w', '[ab1]', '[^!]', 'b')
    const quant = fc.constantFrom('', '', '*', '+', '?', '{1,9}', '{2}')
    const piece: fc.Arbitrary<string> = fc.letrec((tie) => ({
      piece: fc.oneof(
        { weight: 4, arbitrary: fc.tuple(atom, quant).map(([a, q]) => a + q) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.array(tie('piece'), { minLength: 1, maxLength: 3 }), fc.boolean(), quant)
            .map(([ps, alt, q]) => `(?:${ps.join(alt ? '|' : '')})${q}`),
        },
      ),
    })).piece
    const pattern = fc
      .tuple(fc.boolean(), fc.array(piece, { minLength: 1, maxLength: 6 }))
      .map(([anchor, ps]) => `${anchor ? '^' : ''}${ps.join('')}!`)
    fc.assert(
      fc.property(pattern, (p) => {
        if (checkPattern(p)) return
        expect(worstCaseMs(p)).toBeLessThan(1_000)
      }),
      { numRuns: 300 },
    )
  })
})
