import * as z from 'zod/mini'
import { Amount, numeric } from '../money.js'
import { commerceLimits } from './commerce-limits.js'

const { stringMax, urlMax, textMax, itemsMax, quantityMax } = commerceLimits

/** A short string (name, category, coupon...), trimmed. */
export const Text = /* @__PURE__ */ z.string().check(z.trim(), z.maxLength(stringMax))

/** Free text (a review body, a share message), trimmed. */
export const LongText = /* @__PURE__ */ z.string().check(z.trim(), z.maxLength(textMax))

/** An identifier; numbers are accepted as written (`item_id: 12345` is `'12345'`). */
export const Id = /* @__PURE__ */ z.pipe(
  z.pipe(z.union([z.string(), z.number()]), z.transform(String)),
  z.string().check(z.trim(), z.minLength(1), z.maxLength(stringMax)),
)

/** An absolute http or https URL: agents may open it, so no other scheme gets through. */
export const Url = /* @__PURE__ */ z.url({ protocol: /^https?$/ }).check(z.maxLength(urlMax))

/** Units of a product; a decimal string such as `'2'` is accepted. */
export const Quantity = /* @__PURE__ */ numeric(z.int().check(z.gte(1), z.lte(quantityMax)))

/** Position of a product in a list, counted from 0 or 1 as the source does. */
export const Position = /* @__PURE__ */ numeric(z.int().check(z.gte(0)))

/** Number of a checkout step, from 1. */
export const Step = /* @__PURE__ */ numeric(z.int().check(z.gte(1)))

/** The product properties a cart line and the page keep. */
export const lineShape = {
  product_id: Id,
  sku: z.optional(Id),
  name: z.optional(Text),
  brand: z.optional(Text),
  category: z.optional(Text),
  variant: z.optional(Text),
  price: z.optional(Amount),
  url: z.optional(Url),
  image_url: z.optional(Url),
}

/** The Segment product properties, shared by product events and `products[]`. */
export const productShape = {
  ...lineShape,
  quantity: z.optional(Quantity),
  coupon: z.optional(Text),
  /** Discount on this product (GA4 item `discount`), in the event's currency. */
  discount: z.optional(Amount),
  position: z.optional(Position),
}

/** The members of `from` named in `shape` that are defined: what one schema keeps of another. */
export function pick(from: object, shape: object): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(shape)) {
    const value = (from as Record<string, unknown>)[key]
    if (value !== undefined) out[key] = value
  }
  return out
}

/** One product of an event's `products[]`. */
export const Product = /* @__PURE__ */ z.object(productShape)
export type Product = z.infer<typeof Product>

/** An event's `products[]`, at most `commerceLimits.itemsMax` of them. */
export const Products = /* @__PURE__ */ z.array(Product).check(z.maxLength(itemsMax))

const moneyKeys = ['price', 'discount', 'value', 'revenue', 'total', 'subtotal', 'shipping', 'tax']

interface MaybePriced {
  readonly currency?: string | undefined
  readonly products?: readonly object[] | undefined
}

function hasAmount(o: object): boolean {
  return moneyKeys.some((k) => (o as Record<string, unknown>)[k] !== undefined)
}

/** Whether `o` or one of its `products` carries an amount of money. */
export function carriesMoney(o: MaybePriced): boolean {
  return hasAmount(o) || (o.products?.some(hasAmount) ?? false)
}

/** The rule that an amount needs its currency: `{ price: 10 }` alone is no amount of money. */
export const currencyRule = z.refine<MaybePriced>(
  (o) => o.currency !== undefined || !carriesMoney(o),
  {
    message: 'required when an amount is given',
    path: ['currency'],
  },
)
