import type { AuthorRole, ConversationSummary, MessageInput } from '@causette/events'
import type { StreamItem } from '@causette/transport/protocol'

export interface Site {
  readonly id: string
  readonly name: string
  readonly origins: readonly string[]
}

export interface Visitor {
  readonly id: string
  readonly siteId: string
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
  findVisitorByTokenHash(tokenHash: string): Promise<Visitor | undefined>

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

  /** The visitor's open conversation, created if there is none (never two). */
  openConversation(visitor: Visitor): Promise<ConversationSummary>
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

  close(): Promise<void>
}
