import { describe, expect, test } from 'vitest'
import { formatMoney } from './format-money.js'

describe('formatMoney', () => {
  test('writes money in its currency, the way the locale does', () => {
    expect(formatMoney(1234.5, 'EUR', 'en-US')).toBe('€1,234.50')
    expect(formatMoney(1234.5, 'EUR', 'fr-FR')).toBe('1\u202f234,50\u00a0€')
    expect(formatMoney(1200, 'JPY', 'en-US')).toBe('¥1,200')
  })

  test('never rounds an amount away', () => {
    expect(formatMoney(0.125, 'EUR', 'en-US')).toBe('€0.125')
    expect(formatMoney(1e-7, 'USD', 'en-US')).toBe('$0.0000001')
    expect(formatMoney(1200.5, 'JPY', 'en-US')).toBe('¥1,200.5')
  })
})
