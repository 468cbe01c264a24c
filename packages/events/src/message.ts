import * as z from 'zod/mini'
import { chatLimits } from './limits.js'

/** What a participant submits: for now, plain text. Rendered as text only, never as HTML. */
export const MessageInput = z.object({
  type: z.literal('text'),
  text: z.string().check(z.trim(), z.minLength(1), z.maxLength(chatLimits.messageTextMax)),
})
export type MessageInput = z.infer<typeof MessageInput>

export const AuthorRole = z.enum(['visitor', 'agent', 'system'])
export type AuthorRole = z.infer<typeof AuthorRole>

export const Author = z.object({
  role: AuthorRole,
  id: z.string(),
  name: z.optional(z.string().check(z.maxLength(chatLimits.displayNameMax))),
})
export type Author = z.infer<typeof Author>

/** The body of one item of a conversation stream, as the server stores and replays it. */
export const ChatItem = z.object({
  kind: z.literal('message'),
  author: Author,
  content: MessageInput,
  /** ISO 8601 time the server stored it. */
  at: z.string(),
})
export type ChatItem = z.infer<typeof ChatItem>

/** What a participant sends on a conversation's stream as an ephemeral signal while typing. */
export const TypingInput = z.object({
  type: z.literal('typing'),
  typing: z.boolean(),
})
export type TypingInput = z.infer<typeof TypingInput>

/** What the other participants receive: who is (or stopped) typing. Never stored. */
export const TypingSignal = z.object({
  type: z.literal('typing'),
  typing: z.boolean(),
  author: Author,
})
export type TypingSignal = z.infer<typeof TypingSignal>
