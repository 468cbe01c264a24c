import * as z from 'zod/mini'
import { Currency } from '../money.js'

/**
 * An amount of money in a rule: a finite number, never rounded, and an ISO 4217 currency code
 * (`'eur'` becomes `'EUR'`). Money only ever compares with money of the same currency.
 */
export const RuleMoney = /* @__PURE__ */ z.strictObject({ amount: z.number(), currency: Currency })
export type RuleMoney = z.infer<typeof RuleMoney>
