import type {
  AuthorRole,
  ContextView,
  ConversationSummary,
  ConversationTrigger,
  MessageInput,
} from '@causette/events'
import type { StreamItem } from '@causette/transport/protocol'

export interface Site {
  readonly id: string
  readonly name: string
  readonly origins: readonly string[]
}

export interface Visitor {
  readonly id: string
  readonly siteId: string
  /** The shop's id for the person (the identity token's `sub`), once identified. */
  readonly externalId?: string
}

/** What identifying a visitor as the shop's `externalId` did. */
export type IdentifyOutcome =
  | { readonly kind: 'not_found' }
  /** The visitor was already this person, or was anonymous and now is. */
  | { readonly kind: 'same' | 'bound'; readonly visitor: Visitor }
  /**
   * This device now acts as `visitor` (the one known under that id, or a new one when the
   * device was someone else's), through the new token whose hash was given.
   */
  | {
      readonly kind: 'switched'
      readonly visitor: Visitor
      readonly from: Visitor
      /** The anonymous visitor's open conversation, moved to `visitor` (who had none open). */
      readonly movedConversationId: string | undefined
    }

/** A visitor's stored context, and its open conversation's, if any. */
export interface ContextState {
  readonly visitor: ContextView
  readonly conversation: { readonly id: string; readonly context: ContextView } | undefined
}

/** A pure change of context: it may run more than once, so it must not have effects. */
export type ContextChange<R> = (state: ContextState) => {
  readonly visitor: ContextView
  readonly conversation?: ContextView
  readonly result: R
}

export interface Agent {
  readonly id: string
  readonly email: string
  readonly name: string
  readonly role: 'admin' | 'agent'
}

export interface AgentSession {
  readonly agent: Agent
  readonly csrfToken: string
  readonly expiresAt: string
}

export interface AppendInput {
  readonly conversationId: string
  /** The sender's id for this message; a second append with it returns the first. */
  readonly clientId: string
  readonly author: { readonly role: AuthorRole; readonly id: string; readonly name?: string }
  readonly content: MessageInput
}

export type AppendOutcome =
  | {
      readonly ok: true
      readonly item: StreamItem
      readonly conversation: ConversationSummary
      /** True when the id was already stored: nothing new to publish. */
      readonly duplicate: boolean
    }
  | { readonly ok: false; readonly reason: 'not_found' }

/** Durable state of the server. One implementation per SQL dialect, through one query layer. */
export interface Store {
  upsertSite(site: Site): Promise<Site>
  getSite(id: string): Promise<Site | undefined>
  listSites(): Promise<readonly Site[]>

  createVisitor(input: { readonly siteId: string; readonly tokenHash: string }): Promise<Visitor>
  /** The visitor holding this token: its first one, or one of a device that identified as it. */
  findVisitorByTokenHash(tokenHash: string): Promise<Visitor | undefined>
  getVisitor(id: string): Promise<Visitor | undefined>
  /**
   * Makes `visitorId` the person the shop calls `externalId` (unique per site). An anonymous
   * visitor takes the id if nobody has it. Otherwise the device switches: the visitor known
   * under it (or a new one, when this visitor was identified as someone else) gets `tokenHash`
   * as a further token (the newest `maxTokens` are kept, default 20), and an anonymous
   * visitor's open conversation moves to it when it has none open.
   */
  identifyVisitor(input: {
    readonly visitorId: string
    readonly externalId: string
    readonly tokenHash: string
    readonly maxTokens?: number
  }): Promise<IdentifyOutcome>
  readContext(visitorId: string): Promise<ContextState | undefined>
  /**
   * Applies `change` to the visitor's context and its open conversation's in one transaction
   * (rows locked, so concurrent changes apply one after the other). Undefined if no visitor.
   */
  changeContext<R>(
    visitorId: string,
    change: ContextChange<R>,
  ): Promise<{ readonly result: R; readonly conversationId: string | undefined } | undefined>
  /** The context agents see with a conversation, with the rule that started it. */
  conversationContext(conversationId: string): Promise<ContextView | undefined>

  /** Creates the agent, or updates its name, role and password if the email exists. */
  upsertAgent(input: {
    readonly email: string
    readonly name: string
    readonly role: 'admin' | 'agent'
    readonly passwordHash: string
  }): Promise<Agent>
  countAgents(): Promise<number>
  listAgents(): Promise<readonly Agent[]>
  findAgentCredentials(email: string): Promise<{ agent: Agent; passwordHash: string } | undefined>
  createAgentSession(input: {
    readonly idHash: string
    readonly agentId: string
    readonly csrfToken: string
    readonly expiresAt: string
  }): Promise<void>
  findAgentSession(idHash: string, now: string): Promise<AgentSession | undefined>
  deleteAgentSession(idHash: string): Promise<void>

  /**
   * The visitor's open conversation, created if there is none (never two). A new one starts
   * with a copy of the visitor's context (which hands over its waiting `conversation` scope)
   * and the rule that triggered it.
   */
  openConversation(
    visitor: Visitor,
    options?: { readonly trigger?: ConversationTrigger },
  ): Promise<ConversationSummary>
  findOpenConversation(visitorId: string): Promise<ConversationSummary | undefined>
  getConversation(id: string): Promise<ConversationSummary | undefined>
  listConversations(input: {
    readonly siteIds: readonly string[]
    readonly status: 'open' | 'closed'
    readonly limit: number
  }): Promise<readonly ConversationSummary[]>

  /** Stores a message with the next seq of its conversation, in one transaction, durably. */
  appendMessage(input: AppendInput): Promise<AppendOutcome>
  /** Messages of a conversation with seq > afterSeq, in order, at most `limit`. */
  replay(conversationId: string, afterSeq: number, limit: number): Promise<readonly StreamItem[]>
  /** The last seq of each known conversation among `ids` (one query; unknown ids are absent). */
  lastSeqs(ids: readonly string[]): Promise<ReadonlyMap<string, number>>

  close(): Promise<void>
}
