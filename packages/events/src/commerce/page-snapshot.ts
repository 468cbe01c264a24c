import * as z from 'zod/mini'
import { Currency } from '../money.js'
import { commerceLimits } from './commerce-limits.js'
import { currencyRule, lineShape, Text, Url } from './fields.js'
import { pageTypes } from './page-types.js'

const opt = z.optional

/** What kind of page the visitor is on, as the host says or commerce events hint. */
export const PageType = /* @__PURE__ */ z.enum(pageTypes)
export type PageType = z.infer<typeof PageType>

/** The product a page shows. */
export const PageProduct = /* @__PURE__ */ z
  .object({ ...lineShape, currency: opt(Currency) })
  .check(currencyRule)
export type PageProduct = z.infer<typeof PageProduct>

/** The page the visitor is on, which rules and agents read. */
export const PageSnapshot = /* @__PURE__ */ z.object({
  url: Url,
  path: z.string().check(z.maxLength(commerceLimits.urlMax)),
  title: opt(Text),
  referrer: opt(z.string().check(z.maxLength(commerceLimits.urlMax))),
  type: opt(PageType),
  product: opt(PageProduct),
})
export type PageSnapshot = z.infer<typeof PageSnapshot>
