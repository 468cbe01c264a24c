import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { decodeCommerce } from './commerce/commerce-error.js'
import { commerceLimits } from './commerce/commerce-limits.js'
import { Amount, Currency, isCurrencyCode, isPlainDecimal, Money, sumAmounts } from './money.js'

describe('Currency', () => {
  test('trims and upper-cases an ISO 4217 code', () => {
    expect(decodeCommerce(Currency, 'eur')).toEqual({ ok: true, value: 'EUR' })
    expect(decodeCommerce(Currency, ' usd ')).toEqual({ ok: true, value: 'USD' })
    expect(decodeCommerce(Currency, 'JPY')).toEqual({ ok: true, value: 'JPY' })
  })

  test.each(['XXX', 'XTS', 'XAU', 'EURO', 'E1R', 'EU', '', 'ABC', 'D A'])('refuses %j', (code) => {
    expect(decodeCommerce(Currency, code)).toEqual({
      ok: false,
      error: {
        code: 'invalid_argument',
        path: '',
        message: 'expected an ISO 4217 currency code such as EUR',
      },
    })
  })

  test('isCurrencyCode wants an exact upper-case code, not a part of the list', () => {
    expect(isCurrencyCode('EUR')).toBe(true)
    expect(isCurrencyCode('ZWG')).toBe(true)
    expect(isCurrencyCode('eur')).toBe(false)
    expect(isCurrencyCode('EUR GBP')).toBe(false)
    expect(isCurrencyCode(' EU')).toBe(false)
    expect(isCurrencyCode('D A')).toBe(false)
  })
})

describe('Amount', () => {
  test('reads numbers and plain decimal strings exactly as Number does', () => {
    for (const [input, value] of [
      [31.1, 31.1],
      ['31.10', 31.1],
      ['2', 2],
      [' 31.10 ', 31.1],
      ['.5', 0.5],
      ['5.', 5],
      ['0.1', 0.1],
      ['1234567.891', 1234567.891],
      [0, 0],
    ] as const) {
      expect(decodeCommerce(Amount, input)).toEqual({ ok: true, value })
    }
  })

  test.each([
    '31,10',
    '1,234.50',
    '1e309',
    '1e3',
    '0x10',
    'Infinity',
    'NaN',
    '€31.10',
    '31.10 EUR',
    '',
    '1.2.3',
  ])('refuses %j, which is no plain decimal, with invalid_argument', (input) => {
    expect(decodeCommerce(Amount, input)).toEqual({
      ok: false,
      error: {
        code: 'invalid_argument',
        path: '',
        message: "expected a plain decimal number with a '.' such as '31.10'",
      },
    })
  })

  test('refuses negative amounts, non-finite numbers and other types', () => {
    expect(decodeCommerce(Amount, -1)).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', message: 'at least 0 required' },
    })
    expect(decodeCommerce(Amount, '-0.01')).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    })
    for (const input of [Number.POSITIVE_INFINITY, Number.NaN, null, true, {}, [1]]) {
      expect(decodeCommerce(Amount, input)).toMatchObject({
        ok: false,
        error: { code: 'invalid_argument' },
      })
    }
  })

  test('answers limit_exceeded above amountMax and for decimal strings that are too long', () => {
    expect(decodeCommerce(Amount, commerceLimits.amountMax)).toEqual({
      ok: true,
      value: commerceLimits.amountMax,
    })
    expect(decodeCommerce(Amount, commerceLimits.amountMax * 10)).toEqual({
      ok: false,
      error: { code: 'limit_exceeded', path: '', message: 'at most 1000000000000000 allowed' },
    })
    const long = `1.${'0'.repeat(commerceLimits.numberStringMax - 2)}`
    expect(decodeCommerce(Amount, long)).toEqual({ ok: true, value: 1 })
    expect(decodeCommerce(Amount, `${long}0`)).toEqual({
      ok: false,
      error: { code: 'limit_exceeded', path: '', message: 'at most 32 characters allowed' },
    })
  })

  test('never truncates: a decimal string with up to 4 decimals parses to Number(s)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,9}(\.\d{1,4})?$/), (s) => {
        const decoded = decodeCommerce(Amount, s)
        expect(decoded).toEqual({ ok: true, value: Number(s) })
        expect(isPlainDecimal(s)).toBe(true)
      }),
      { numRuns: 500 },
    )
  })
})

test('Money pairs an amount with a currency', () => {
  expect(decodeCommerce(Money, { amount: '99.90', currency: 'chf' })).toEqual({
    ok: true,
    value: { amount: 99.9, currency: 'CHF' },
  })
  expect(decodeCommerce(Money, { amount: 10 })).toEqual({
    ok: false,
    error: { code: 'invalid_argument', path: 'currency', message: 'currency: required' },
  })
})

describe('sumAmounts', () => {
  test('adds without binary floating-point drift', () => {
    expect(sumAmounts([[0.1, 3]])).toBe(0.3)
    expect(0.1 * 3).not.toBe(0.3)
    expect(
      sumAmounts([
        [19.99, 1],
        [0.01, 1],
      ]),
    ).toBe(20)
    expect(
      sumAmounts([
        [31.1, 2],
        [4.35, 3],
      ]),
    ).toBe(75.25)
    expect(sumAmounts([[1e-7, 3]])).toBe(3e-7)
    expect(sumAmounts([[1e15, 10_000]])).toBe(1e19)
    expect(sumAmounts([[0.123456, 7]])).toBe(0.864192)
    expect(sumAmounts([])).toBe(0)
  })

  test('equals the exact sum in cents for prices with 2 decimals', () => {
    const line = fc.tuple(fc.nat({ max: 10_000_000 }), fc.integer({ min: 1, max: 10_000 }))
    fc.assert(
      fc.property(fc.array(line, { maxLength: 100 }), (lines) => {
        const cents = lines.reduce((sum, [c, q]) => sum + BigInt(c) * BigInt(q), 0n)
        const s = cents.toString().padStart(3, '0')
        const expected = Number(`${s.slice(0, -2)}.${s.slice(-2)}`)
        const prices = lines.map(([c, q]) => [Number((c / 100).toFixed(2)), q] as const)
        expect(sumAmounts(prices)).toBe(expected)
      }),
      { numRuns: 300 },
    )
  })

  test('throws at once on a non-finite amount, which validation never lets through', () => {
    expect(() => sumAmounts([[Number.NaN, 1]])).toThrow('not a finite number: NaN')
  })
})
