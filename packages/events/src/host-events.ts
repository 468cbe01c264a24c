import * as z from 'zod/mini'
import type { HostErrorCode } from './host-names.js'
import { hostEventNames } from './host-names.js'
import { RuleMatch } from './rules/explanation.js'

// The events the widget emits to the host page (`widget.on(name, handler)`). The payload schemas
// are for tests, docs and JSON Schema; the widget builds payloads itself and never parses them,
// so they are built lazily and marked pure: a browser bundle that only needs the names drops them.

export const HostEventName = /* @__PURE__ */ z.enum(hostEventNames)
export type HostEventName = (typeof hostEventNames)[number]

/** The widget is mounted; `conversationId` is the visitor's open conversation, if one is known. */
export const ReadyEvent = /* @__PURE__ */ z.lazy(() =>
  z.object({ conversationId: z.nullable(z.string()) }),
)

/** The panel opened: by `open()`/`toggle()` (api), the launcher, or an engagement rule (its message or its `open` action). */
export const OpenEvent = /* @__PURE__ */ z.lazy(() =>
  z.object({ source: z.enum(['api', 'launcher', 'proactive']) }),
)

/** The panel closed: by `close()`/`toggle()` (api), or by the visitor (close button, launcher). */
export const CloseEvent = /* @__PURE__ */ z.lazy(() =>
  z.object({ source: z.enum(['api', 'visitor']) }),
)

/** Messages from the shop the visitor has not seen yet; emitted when the count changes. */
export const UnreadEvent = /* @__PURE__ */ z.lazy(() =>
  z.object({ count: z.int().check(z.nonnegative()) }),
)

/** A conversation was opened on the server; `trigger` is the rule match that led to it. */
export const ConversationStartedEvent = /* @__PURE__ */ z.lazy(() =>
  z.object({ conversationId: z.string(), trigger: z.nullable(RuleMatch) }),
)

/**
 * The visitor's conversation is over for this device: closed on the server, `reset()`, the
 * server no longer knows the visitor (`forgotten`), or `identify` moved this device to another
 * visitor (`switched`).
 */
export const ConversationEndedEvent = /* @__PURE__ */ z.lazy(() =>
  z.object({
    conversationId: z.string(),
    reason: z.enum(['closed', 'reset', 'forgotten', 'switched']),
  }),
)

/** A visitor message was stored by the server (acknowledged, with its `seq`). */
export const MessageSentEvent = /* @__PURE__ */ z.lazy(() =>
  z.object({
    conversationId: z.string(),
    messageId: z.string(),
    seq: z.int(),
    text: z.string(),
  }),
)

/** A message from the shop (an agent, a bot, or the system) arrived live. History is not replayed. */
export const MessageReceivedEvent = /* @__PURE__ */ z.lazy(() =>
  z.object({
    conversationId: z.string(),
    messageId: z.string(),
    seq: z.int(),
    text: z.string(),
    /** ISO 8601 time the server stored it. */
    at: z.string(),
    author: z.object({ role: z.enum(['agent', 'system']), name: z.optional(z.string()) }),
  }),
)

/** A proactive message is on screen; `ruleId` names the rule that showed it. */
export const ProactiveShownEvent = /* @__PURE__ */ z.lazy(() =>
  z.object({
    text: z.string(),
    author: z.optional(z.string()),
    ruleId: z.nullable(z.string()),
  }),
)

/** The visitor dismissed a proactive message (button or Escape), or a newer one replaced it. */
export const ProactiveDismissedEvent = /* @__PURE__ */ z.lazy(() =>
  z.object({
    ruleId: z.nullable(z.string()),
    via: z.enum(['button', 'escape', 'replaced']),
  }),
)

/** The visitor rated the conversation (1 to 5). */
export const RatingSubmittedEvent = /* @__PURE__ */ z.lazy(() =>
  z.object({
    conversationId: z.string(),
    rating: z.int().check(z.minimum(1), z.maximum(5)),
    comment: z.optional(z.string()),
  }),
)

/** Something failed outside of a call the host could catch (a deferred identify, a context sync). */
export const ErrorEvent = /* @__PURE__ */ z.lazy(() =>
  z.object({
    code: z.string(),
    message: z.string(),
    retryable: z.boolean(),
  }),
)

/** The payload type of each host event. */
export interface HostEvents {
  ready: z.infer<typeof ReadyEvent>
  open: z.infer<typeof OpenEvent>
  close: z.infer<typeof CloseEvent>
  unread: z.infer<typeof UnreadEvent>
  'conversation:started': z.infer<typeof ConversationStartedEvent>
  'conversation:ended': z.infer<typeof ConversationEndedEvent>
  'message:sent': z.infer<typeof MessageSentEvent>
  'message:received': z.infer<typeof MessageReceivedEvent>
  'proactive:shown': z.infer<typeof ProactiveShownEvent>
  'proactive:dismissed': z.infer<typeof ProactiveDismissedEvent>
  'rating:submitted': z.infer<typeof RatingSubmittedEvent>
  error: Omit<z.infer<typeof ErrorEvent>, 'code'> & { readonly code: HostErrorCode }
}

/** The schema of each event's payload, for tests, docs and JSON Schema generation. */
export const hostEventSchemas = /* @__PURE__ */ (() =>
  ({
    ready: ReadyEvent,
    open: OpenEvent,
    close: CloseEvent,
    unread: UnreadEvent,
    'conversation:started': ConversationStartedEvent,
    'conversation:ended': ConversationEndedEvent,
    'message:sent': MessageSentEvent,
    'message:received': MessageReceivedEvent,
    'proactive:shown': ProactiveShownEvent,
    'proactive:dismissed': ProactiveDismissedEvent,
    'rating:submitted': RatingSubmittedEvent,
    error: ErrorEvent,
  }) as const satisfies Record<HostEventName, z.ZodMiniType>)()

export type HostEventHandler<E extends HostEventName> = (payload: HostEvents[E]) => void
