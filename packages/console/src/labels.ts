import type { Author, ConversationSummary } from '@causette/events'

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

function assertNever(value: never): never {
  throw new Error(`unknown author role: ${String(value)}`)
}
