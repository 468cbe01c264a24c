import * as z from 'zod/mini'
import { chatLimits } from './limits.js'

/** What a participant submits: for now, plain text. Rendered as text only, never as HTML. */
export const MessageInput = /* @__PURE__ */ z.object({
  type: z.literal('text'),
  text: z.string().check(z.trim(), z.minLength(1), z.maxLength(chatLimits.messageTextMax)),
})
export type MessageInput = z.infer<typeof MessageInput>

export const AuthorRole = /* @__PURE__ */ z.enum(['visitor', 'agent', 'system'])
export type AuthorRole = z.infer<typeof AuthorRole>

export const Author = /* @__PURE__ */ z.object({
  role: AuthorRole,
  id: z.string(),
  name: z.optional(z.string().check(z.maxLength(chatLimits.displayNameMax))),
})
export type Author = z.infer<typeof Author>

/** The body of one item of a conversation stream, as the server stores and replays it. */
export const ChatItem = /* @__PURE__ */ z.object({
  kind: z.literal('message'),
  author: Author,
  content: MessageInput,
  /** ISO 8601 time the server stored it. */
  at: z.string(),
})
export type ChatItem = z.infer<typeof ChatItem>

/** What a participant sends on a conversation's stream as an ephemeral signal while typing. */
export const TypingInput = /* @__PURE__ */ z.object({
  type: z.literal('typing'),
  typing: z.boolean(),
})
export type TypingInput = z.infer<typeof TypingInput>

/** What the other participants receive: who is (or stopped) typing. Never stored. */
export const TypingSignal = /* @__PURE__ */ z.object({
  type: z.literal('typing'),
  typing: z.boolean(),
  author: Author,
})
export type TypingSignal = z.infer<typeof TypingSignal>
