import { chatLimits, decode, MessageInput } from '@causette/events'

export type ReplyCheck =
  | { readonly ok: true; readonly value: MessageInput }
  | { readonly ok: false; readonly message: string }

/** Validates a reply as the server will (trimmed, 1 to `chatLimits.messageTextMax` characters). */
export function checkReply(text: string): ReplyCheck {
  const decoded = decode(MessageInput, { type: 'text', text })
  if (decoded.ok) return { ok: true, value: decoded.value }
  const length = text.trim().length
  if (length === 0) return { ok: false, message: 'Write a reply before sending.' }
  if (length > chatLimits.messageTextMax) {
    return {
      ok: false,
      message: `Replies are limited to ${chatLimits.messageTextMax.toLocaleString('en')} characters; this one has ${length.toLocaleString('en')}.`,
    }
  }
  return { ok: false, message: `This reply cannot be sent: ${decoded.error}` }
}
