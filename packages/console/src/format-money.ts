/**
 * An amount in its currency as the agent's locale writes it (`€1,234.50`). Money is never
 * rounded away: an amount with more decimals than the currency usually shows keeps them all.
 */
export function formatMoney(amount: number, currency: string, locale?: string): string {
  try {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency })
    const usual = format.resolvedOptions().maximumFractionDigits ?? 2
    const digits = fractionDigits(amount)
    if (digits <= usual) return format.format(amount)
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      maximumFractionDigits: Math.min(digits, maxFractionDigits),
    }).format(amount)
  } catch {
    // A currency code this browser's Intl does not know.
    return `${amount} ${currency}`
  }
}

/** The most fraction digits every Intl implementation accepts. */
const maxFractionDigits = 20

/** Decimals of the shortest form of `n` that reads back as `n`: 0.125 has 3, 1e-7 has 7. */
function fractionDigits(n: number): number {
  const m = /^-?\d+(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(n))
  if (!m) return 0
  return Math.max(0, (m[1]?.length ?? 0) - Number(m[2] ?? 0))
}
