import type {
  Author,
  ConversationSummary,
  PageType,
  TriggerEvent,
  TrustLevel,
} from '@causette/events'

export const previewMax = 100

/** How the console names a visitor: visitors are anonymous, so by the start of their id. */
export function visitorLabel(visitorId: string): string {
  return `Visitor ${visitorId.slice(0, 8)}`
}

/** The last message of a conversation on one line, cut at `previewMax` characters. */
export function previewText(conversation: ConversationSummary): string {
  const text = conversation.lastMessage?.text.replace(/\s+/g, ' ').trim()
  if (!text) return 'No messages yet'
  return text.length > previewMax ? `${text.slice(0, previewMax - 1)}…` : text
}

/** Who wrote a message, from the point of view of the signed-in agent. */
export function authorLabel(author: Author, selfId: string): string {
  switch (author.role) {
    case 'visitor':
      return 'Visitor'
    case 'agent':
      return author.id === selfId ? 'You' : (author.name ?? 'Agent')
    case 'system':
      return 'System'
    default:
      return assertNever(author.role)
  }
}

/** Where a fact comes from, in the words of the trust badge. */
export function trustLabel(trust: TrustLevel): string {
  switch (trust) {
    case 'verified':
      return 'Verified'
    case 'host':
      return "From the shop's page"
    case 'observed':
      return 'Observed by the widget'
    default:
      return assertNever(trust)
  }
}

const trustOrder: Readonly<Record<TrustLevel, number>> = { verified: 0, host: 1, observed: 2 }

/** Orders facts by trust, strongest first, then by name. */
export function byTrust(
  a: { readonly key: string; readonly trust: TrustLevel },
  b: { readonly key: string; readonly trust: TrustLevel },
): number {
  return trustOrder[a.trust] - trustOrder[b.trust] || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
}

/** The kind of page a visitor is on. */
export function pageTypeLabel(type: PageType): string {
  switch (type) {
    case 'home':
      return 'Home page'
    case 'category':
      return 'Category'
    case 'product':
      return 'Product page'
    case 'search':
      return 'Search results'
    case 'cart':
      return 'Cart'
    case 'checkout':
      return 'Checkout'
    case 'confirmation':
      return 'Order confirmation'
    case 'account':
      return 'Account'
    case 'other':
      return 'Other'
    default:
      return assertNever(type)
  }
}

/** What made a rule fire, in words. */
export function triggerLabel(trigger: TriggerEvent): string {
  switch (trigger.type) {
    case 'page_view':
      return `Page view of ${trigger.path}`
    case 'event':
      return `Event “${trigger.event}”`
    case 'timer':
      return `${trigger.after_s} s on the page`
    case 'idle':
      return `Idle for ${trigger.after_s} s`
    case 'exit_intent':
      return 'About to leave the page (exit intent)'
    default:
      return assertNever(trigger)
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown label case: ${JSON.stringify(value)}`)
}
