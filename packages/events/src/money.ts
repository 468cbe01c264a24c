import * as z from 'zod/mini'
import { commerceLimits } from './commerce/commerce-limits.js'

// ISO 4217 codes in circulation (funds, metals and test codes left out), as one string: a list of
// words costs a fraction of the bytes of an object or an array literal in the browser bundle.
const iso4217 =
  ' AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN' +
  ' BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS' +
  ' GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW' +
  ' KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD' +
  ' NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD' +
  ' SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED' +
  ' VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG '

/** Whether `code` is an ISO 4217 currency code in circulation, written in upper case. */
export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && iso4217.includes(` ${code} `)
}

/** An ISO 4217 currency code; surrounding spaces are trimmed and `'eur'` becomes `'EUR'`. */
export const Currency = /* @__PURE__ */ z
  .string()
  .check(
    z.trim(),
    z.toUpperCase(),
    z.refine(isCurrencyCode, 'expected an ISO 4217 currency code such as EUR'),
  )

// Plain decimals only: no exponent ('1e309'), no thousands or decimal comma ('31,10' is 3110 in
// en-US and 31.1 in fr-FR; guessing would change an amount, so it is rejected), no hex.
const plainDecimal = /^-?(?:\d+\.?\d*|\.\d+)$/

/** Whether `s` is a plain decimal number such as `'31.10'`, `'2'` or `'.5'`. */
export function isPlainDecimal(s: string): boolean {
  return plainDecimal.test(s)
}

/**
 * A number given as a number or as a plain decimal string, parsed exactly as `Number(s)` does and
 * then checked by `out`: `'31.10'` is 31.1, never truncated or rounded to cents.
 */
export function numeric<Out extends z.core.$ZodType<unknown, number>>(out: Out) {
  return z.pipe(
    z.union([
      z.number(),
      z.pipe(
        z
          .string()
          .check(
            z.trim(),
            z.maxLength(commerceLimits.numberStringMax),
            z.refine(isPlainDecimal, "expected a plain decimal number with a '.' such as '31.10'"),
          ),
        z.transform(Number),
      ),
    ]),
    out,
  )
}

/** An amount of money in major units (31.1 is €31.10): finite, not negative, never rounded. */
export const Amount = /* @__PURE__ */ numeric(
  z.number().check(z.gte(0), z.lte(commerceLimits.amountMax)),
)
export type Amount = z.infer<typeof Amount>

/** An amount with its currency; money only ever compares with money of the same currency. */
export const Money = /* @__PURE__ */ z.object({ amount: Amount, currency: Currency })
export type Money = z.infer<typeof Money>

/** `n` as an integer of its shortest round-trip decimal digits and the power of ten they are scaled by. */
function scaled(n: number): [digits: bigint, scale: number] {
  // String(n) is the shortest decimal that reads back as n: the amount as it was written.
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(n))
  if (!m) throw new RangeError(`not a finite number: ${n}`)
  const fraction = m[3] ?? ''
  const digits = BigInt(`${m[1]}${m[2]}${fraction}`)
  const scale = fraction.length - Number(m[4] ?? 0)
  return scale < 0 ? [digits * 10n ** BigInt(-scale), 0] : [digits, scale]
}

/**
 * The sum of amount × times over `terms`, computed on exact decimals so that 0.1 × 3 is 0.3 and
 * 19.99 + 0.01 is 20 (no binary floating-point drift); the result is `Number` of the exact sum.
 */
export function sumAmounts(terms: Iterable<readonly [amount: number, times: number]>): number {
  let total = 0n
  let scale = 0
  for (const [amount, times] of terms) {
    const [a, sa] = scaled(amount)
    const [t, st] = scaled(times)
    const s = sa + st
    if (s > scale) {
      total *= 10n ** BigInt(s - scale)
      scale = s
    }
    total += a * t * 10n ** BigInt(scale - s)
  }
  const sign = total < 0n ? '-' : ''
  const digits = (total < 0n ? -total : total).toString().padStart(scale + 1, '0')
  const cut = digits.length - scale
  return Number(`${sign}${digits.slice(0, cut)}.${digits.slice(cut)}`)
}
