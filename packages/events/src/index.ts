export {
  ConversationStatus,
  ConversationSummary,
  conversationStream,
  InboxSignal,
  inboxTopic,
  parseConversationStream,
} from './conversation.js'
export type { Decoded } from './decode.js'
export { decode } from './decode.js'
export { chatLimits } from './limits.js'
export { Author, AuthorRole, ChatItem, MessageInput, TypingInput, TypingSignal } from './message.js'
export { VisitorSession } from './visitor.js'
