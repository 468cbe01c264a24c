import { decodeHost, PageSnapshot, type PageViewInput } from '@causette/events'
import { basicPageSnapshot, type PageContext } from './page-context.js'

/**
 * The page view recorded for a call: the host's input over the page captured with the call,
 * checked against the PageSnapshot schema the server applies. A page that is no http(s) page
 * (about:blank, a file) has no snapshot.
 */
export function pageSnapshot(
  context: PageContext,
  input: PageViewInput = {},
): PageSnapshot | undefined {
  const basic = basicPageSnapshot(context, input)
  if (!basic) return undefined
  const snapshot = decodeHost(PageSnapshot, {
    ...basic,
    ...(input.type ? { type: input.type } : {}),
    ...(input.product ? { product: input.product } : {}),
  })
  return snapshot.ok ? snapshot.value : undefined
}
