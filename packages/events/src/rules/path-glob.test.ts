import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { matchPath } from './path-glob.js'
import { ruleLimits } from './rule-limits.js'

// Reference: the same language as a regular expression.
function reference(pattern: string, path: string): boolean {
  const source = pattern
    .split(/(\*+)/)
    .map((part) =>
      part.startsWith('*')
        ? part.length > 1
          ? '.*'
          : '[^/]*'
        : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('')
  return new RegExp(`^${source}$`, 's').test(path)
}

describe('matchPath', () => {
  it.each([
    ['/checkout', '/checkout', true],
    ['/checkout', '/checkout/', false],
    ['/checkout/**', '/checkout/step/2', true],
    ['/checkout/**', '/checkout/', true],
    ['/products/*', '/products/shoe', true],
    ['/products/*', '/products/shoe/red', false],
    ['/**/reviews', '/fr/p/12/reviews', true],
    ['/*/cart', '/fr/cart', true],
    ['/*/cart', '/cart', false],
  ])('%s against %s is %s', (pattern, path, expected) => {
    expect(matchPath(pattern, path)).toBe(expected)
  })

  it('property: agrees with a regular-expression reference', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '/', '*', '.'), maxLength: 10 })
    const path = fc.string({ unit: fc.constantFrom('a', 'b', '/', '.'), maxLength: 14 })
    fc.assert(
      fc.property(text, path, (p, s) => {
        expect(matchPath(p, s)).toBe(reference(p, s))
      }),
      { numRuns: 1000 },
    )
  })

  it('answers a hostile pattern (no backtracking: tokens × characters) and reads the path only up to pathInputMax', () => {
    expect(matchPath('/*'.repeat(100), `${'/a'.repeat(1000)}!`)).toBe(false)
    const long = `/a/${'x'.repeat(ruleLimits.pathInputMax)}/z`
    // What lies past the cut does not count: `/z` is never read.
    expect(matchPath('/a/**/z', long)).toBe(false)
    expect(matchPath('/a/**', long)).toBe(true)
    expect(matchPath('/a/**/z', `/a/${'x'.repeat(10)}/z`)).toBe(true)
  })
})
