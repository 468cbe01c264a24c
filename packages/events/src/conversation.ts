import * as z from 'zod/mini'
import { AuthorRole } from './message.js'

export const ConversationStatus = /* @__PURE__ */ z.enum(['open', 'closed'])
export type ConversationStatus = z.infer<typeof ConversationStatus>

/** A conversation as lists show it (the agent's inbox, the visitor's widget). */
export const ConversationSummary = /* @__PURE__ */ z.object({
  id: z.string(),
  siteId: z.string(),
  visitorId: z.string(),
  status: ConversationStatus,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Seq of the last item of the conversation stream; 0 when empty. */
  lastSeq: z.number(),
  lastMessage: z.optional(z.object({ role: AuthorRole, text: z.string(), at: z.string() })),
  /**
   * The anonymous visitor it belonged to before `identify` moved it to the visitor known under
   * the shop's id: the same device, which may still send under its old token for a while.
   */
  movedFromVisitorId: z.optional(z.string()),
})
export type ConversationSummary = z.infer<typeof ConversationSummary>

/**
 * Signals the server sends to agents on the inbox topic of a site: a conversation changed, or
 * the node may have missed changes (its link to the other nodes broke) and lists must be
 * fetched again. Signals are not replayed, so `inbox.stale` is how a missed one is repaired.
 */
export const InboxSignal = /* @__PURE__ */ z.discriminatedUnion('type', [
  z.object({ type: z.literal('conversation.updated'), conversation: ConversationSummary }),
  z.object({ type: z.literal('inbox.stale'), siteId: z.string() }),
])
export type InboxSignal = z.infer<typeof InboxSignal>

const conversationPrefix = 'conv:'

/** Name of the durable stream that holds a conversation's items. */
export function conversationStream(conversationId: string): string {
  return `${conversationPrefix}${conversationId}`
}

/** The conversation id a stream name refers to, if it is a conversation stream. */
export function parseConversationStream(stream: string): string | undefined {
  return stream.startsWith(conversationPrefix) && stream.length > conversationPrefix.length
    ? stream.slice(conversationPrefix.length)
    : undefined
}

/** Name of the signal topic on which the agents of a site hear about conversation changes. */
export function inboxTopic(siteId: string): string {
  return `inbox:${siteId}`
}
