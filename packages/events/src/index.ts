export type { Adapted, AdapterOptions } from './commerce/adapted.js'
export { CartInput, CartLine, CartSnapshot, setCart } from './commerce/cart-snapshot.js'
export type { CommerceError, CommerceErrorCode, CommerceResult } from './commerce/commerce-error.js'
export { decodeCommerce } from './commerce/commerce-error.js'
export type { CommerceEventName, CommerceEventOf } from './commerce/commerce-event.js'
export {
  CommerceEvent,
  commerceEventNames,
  isCommerceEvent,
  isCommerceEventName,
} from './commerce/commerce-event.js'
export { commerceLimits } from './commerce/commerce-limits.js'
export { CustomEvent, EventName } from './commerce/custom-event.js'
export { fromDataLayer } from './commerce/from-data-layer.js'
export { fromGa4, ga4EventNames, isGa4EventName } from './commerce/from-ga4.js'
export { normalizeEvent, TrackEvent } from './commerce/normalize-event.js'
export { PageProduct, PageSnapshot, PageType } from './commerce/page-snapshot.js'
export { reduceCart } from './commerce/reduce-cart.js'
export { reducePage } from './commerce/reduce-page.js'
export type {
  ContextDecoded,
  ContextEntries,
  ContextInputError,
  ContextPart,
  ContextRejection,
} from './context.js'
export {
  applyContextUpdate,
  ContextEntry,
  ContextKey,
  ContextScope,
  ContextUpdate,
  ContextValue,
  ContextValues,
  ContextView,
  ConversationStart,
  ConversationTrigger,
  contextLimits,
  contextUpdateOf,
  decodeContext,
  EventCounts,
  emptyContextView,
  IdentifyRequest,
  IdentifyResult,
  mayReplace,
  reservedKeys,
  TrustLevel,
} from './context.js'
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
export { Amount, Currency, isCurrencyCode, Money, sumAmounts } from './money.js'
export { VisitorSession } from './visitor.js'
