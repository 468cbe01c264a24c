import * as z from 'zod/mini'
import { Currency, sumAmounts } from '../money.js'
import {
  type CommerceError,
  type CommerceResult,
  commerceError,
  decodeCommerce,
} from './commerce-error.js'
import { commerceLimits } from './commerce-limits.js'
import { Id, lineShape, type Product, pick, Quantity } from './fields.js'

const { cartLinesMax, quantityMax } = commerceLimits
const opt = z.optional

/** One line of a cart: a product in one variant, and how many of it. */
export const CartLine = /* @__PURE__ */ z.object({ ...lineShape, quantity: Quantity })
export type CartLine = z.infer<typeof CartLine>

const lines = /* @__PURE__ */ z.array(CartLine).check(z.maxLength(cartLinesMax))

const pricedNeedsCurrency = z.refine<{
  currency?: string | undefined
  items: readonly { price?: number | undefined }[]
}>((cart) => cart.currency !== undefined || cart.items.every((line) => line.price === undefined), {
  message: 'required when a line has a price',
  path: ['currency'],
})

/**
 * The cart the widget derives from commerce events, which rules and agents read: `value` is the
 * exact sum of price × quantity of its lines and `item_count` the sum of their quantities.
 */
export const CartSnapshot = /* @__PURE__ */ z
  .object({
    cart_id: opt(Id),
    currency: opt(Currency),
    value: z.number().check(z.gte(0)),
    item_count: z.int().check(z.gte(0)),
    items: lines,
    /** Epoch milliseconds of the change that made this snapshot. */
    updated_at: z.number().check(z.gte(0)),
  })
  .check(pricedNeedsCurrency)
export type CartSnapshot = z.infer<typeof CartSnapshot>

/**
 * A cart given directly by the host: its lines, whose quantity defaults to 1; `value` and
 * `item_count` are always derived from them (given ones are ignored).
 */
export const CartInput = /* @__PURE__ */ z
  .object({
    cart_id: opt(Id),
    currency: opt(Currency),
    items: z
      .array(z.object({ ...lineShape, quantity: opt(Quantity) }))
      .check(z.maxLength(cartLinesMax)),
  })
  .check(pricedNeedsCurrency)
export type CartInput = z.input<typeof CartInput>

/** The cart line of a product of an event; a missing quantity is one unit. */
export function toCartLine(product: Product): CartLine {
  return { ...pick(product, lineShape), quantity: product.quantity ?? 1 } as CartLine
}

/** Whether two lines are the same product in the same variant. */
export function sameLine(a: Pick<CartLine, 'product_id' | 'variant'>, b: typeof a): boolean {
  return a.product_id === b.product_id && a.variant === b.variant
}

/**
 * Adds `line` to `items` in place, adding its quantity to a line of the same product and variant
 * (whose other fields it updates); answers a `limit_exceeded` error instead when that would pass a cap.
 */
export function mergeLine(
  items: CartLine[],
  line: CartLine,
  path: readonly PropertyKey[],
): CommerceError | undefined {
  const i = items.findIndex((item) => sameLine(item, line))
  const existing = items[i]
  if (!existing) {
    if (items.length >= cartLinesMax) {
      return commerceError('limit_exceeded', path, `at most ${cartLinesMax} cart lines allowed`)
    }
    items.push(line)
    return undefined
  }
  const quantity = existing.quantity + line.quantity
  if (quantity > quantityMax) {
    return commerceError(
      'limit_exceeded',
      [...path, 'quantity'],
      `at most ${quantityMax} units of one product allowed`,
    )
  }
  items[i] = { ...existing, ...line, quantity }
  return undefined
}

/** A snapshot of `items`, with its value and item count computed. */
export function cartOf(
  cart_id: string | undefined,
  currency: string | undefined,
  items: CartLine[],
  now: number,
): CartSnapshot {
  return {
    ...(cart_id === undefined ? {} : { cart_id }),
    ...(currency === undefined ? {} : { currency }),
    // Exact decimal arithmetic: three lines at 0.1 make 0.3, not 0.30000000000000004.
    value: sumAmounts(
      items.flatMap((l) => (l.price === undefined ? [] : [[l.price, l.quantity] as const])),
    ),
    item_count: items.reduce((count, line) => count + line.quantity, 0),
    items,
    updated_at: now,
  }
}

/**
 * Validates a cart given directly (`{ cart_id?, currency?, items }`) into a snapshot at time `now`;
 * lines of the same product and variant are merged. Never throws.
 */
export function setCart(input: unknown, now: number): CommerceResult<CartSnapshot> {
  const decoded = decodeCommerce(CartInput, input)
  if (!decoded.ok) return decoded
  const items: CartLine[] = []
  for (const [i, line] of decoded.value.items.entries()) {
    const error = mergeLine(items, toCartLine(line), ['items', i])
    if (error) return { ok: false, error }
  }
  return { ok: true, value: cartOf(decoded.value.cart_id, decoded.value.currency, items, now) }
}
