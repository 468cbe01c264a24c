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
export type {
  ConsentState,
  HostCall,
  HostDecoded,
  TokenProvider,
} from './host-api.js'
export {
  ConsentMode,
  ConsentUpdate,
  ConsentValue,
  decodeHost,
  decodeHostCall,
  hostCommandArgs,
  hostLimits,
  IdentityToken,
  InitOptions,
  PageViewInput,
  ProactiveMatch,
  ProactiveMessage,
  SetValues,
} from './host-api.js'
export type { HostEventHandler, HostEvents } from './host-events.js'
export { HostEventName, hostEventSchemas } from './host-events.js'
export type { ConsentCategory, HostCommand, HostErrorCode } from './host-names.js'
export { consentCategories, HostErrorCodes, hostCommands, hostEventNames } from './host-names.js'
export { chatLimits } from './limits.js'
export { Author, AuthorRole, ChatItem, MessageInput, TypingInput, TypingSignal } from './message.js'
export { Amount, Currency, isCurrencyCode, Money, sumAmounts } from './money.js'
export { Condition, ConditionLeaf } from './rules/condition.js'
export { countConditionNodes } from './rules/condition-tree.js'
export { createRuleMatch } from './rules/create-rule-match.js'
export type { RuleDecoded, RuleSchemaError } from './rules/decode-rules.js'
export { decodeRule, decodeRuleSet } from './rules/decode-rules.js'
export { evaluateRule, matchTrigger } from './rules/evaluate-rule.js'
export type { Verdict } from './rules/explanation.js'
export {
  ConditionExplanation,
  ExplainedValue,
  LeafExplanation,
  RuleExplanation,
  RuleMatch,
  StepExplanation,
} from './rules/explanation.js'
export type { FactRef, FactType, Weekday } from './rules/fact-catalogue.js'
export { deviceTypes, fixedFacts, parseFact, weekdays } from './rules/fact-catalogue.js'
export type { AttributeFact, Facts, FactsCart, FactsPage, FactValue } from './rules/facts.js'
export type { LocalTime } from './rules/local-time.js'
export { inSchedule, isTimeZone, localTime } from './rules/local-time.js'
export { Operator, operatorsByType } from './rules/operators.js'
export { Action, Frequency, Rule, RuleId, RuleSet, Trigger, TriggerEvent } from './rules/rule.js'
export {
  checkCaps,
  emptyRuleState,
  isProactive,
  recordEngaged,
  recordInteraction,
  recordSeen,
  recordShown,
  rollRuleState,
} from './rules/rule-caps.js'
export { ruleDefaults, ruleLimits } from './rules/rule-limits.js'
export { RuleMoney } from './rules/rule-money.js'
export { RuleCounters, RuleState } from './rules/rule-state.js'
export { checkPattern } from './rules/safe-pattern.js'
export { Schedule, ScheduleWindow, TimeZone } from './rules/schedule.js'
export type { Selection } from './rules/select-rules.js'
export { selectRules } from './rules/select-rules.js'
export { reservedKeys } from './safe-key.js'
export { TrustLevel, trustAtLeast } from './trust-level.js'
export { VisitorSession } from './visitor.js'
