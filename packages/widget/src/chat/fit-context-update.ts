import { type ContextUpdate, contextLimits } from '@causette/events'

/** What goes first when an update is over the server's size cap: the biggest, least personal parts. */
const dropOrder = [
  'cart',
  'page_view',
  'events',
  'page',
  'session',
  'conversation',
  'observed',
  'visitor',
] as const

const encoder = new TextEncoder()
const bytes = (value: unknown) => encoder.encode(JSON.stringify(value)).length

/**
 * The update cut down to the server's cap (`contextLimits.updateBytesMax`, as JSON), whole parts
 * at a time, and the parts that were left out. An update over the cap would be refused whole,
 * and with it the conversation it starts.
 */
export function fitContextUpdate(
  update: ContextUpdate,
  maxBytes: number = contextLimits.updateBytesMax,
): { readonly update: ContextUpdate; readonly dropped: readonly string[] } {
  const fitted: Record<string, unknown> = { ...update }
  const dropped: string[] = []
  for (const part of dropOrder) {
    if (bytes(fitted) <= maxBytes) break
    if (fitted[part] !== undefined) {
      delete fitted[part]
      dropped.push(part)
    }
  }
  return { update: fitted as ContextUpdate, dropped }
}
