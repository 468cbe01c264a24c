import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { backoffDelay, retryDelay } from './backoff.js'

const options = { baseMs: 500, capMs: 30_000 }

describe('backoff', () => {
  test('stays within [0, min(cap, base * 2^attempt)) for any attempt and random value', () => {
    fc.assert(
      fc.property(fc.nat(1_000), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, random) => {
        const delay = backoffDelay(attempt, random, options)
        const ceiling = Math.min(options.capMs, options.baseMs * 2 ** attempt)
        return Number.isInteger(delay) && delay >= 0 && delay < ceiling
      }),
    )
  })

  test('jitter applies at the cap: delays at the cap spread over the whole range', () => {
    expect(backoffDelay(40, 0, options)).toBe(0)
    expect(backoffDelay(40, 0.5, options)).toBe(15_000)
    expect(backoffDelay(40, 0.999, options)).toBe(29_970)
  })

  test('a server retry hint is honoured, spread over [hint, 2 * hint)', () => {
    fc.assert(
      fc.property(
        fc.nat(20),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 60_000 }),
        (attempt, random, hint) => {
          const delay = retryDelay(attempt, random, hint, options)
          return delay >= hint && delay < Math.max(2 * hint, options.capMs)
        },
      ),
    )
  })
})
