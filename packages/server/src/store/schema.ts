import type { Generated } from 'kysely'

/** Table types of the store; one schema for every SQL dialect. Times are ISO 8601 text. */
export interface Database {
  sites: SiteTable
  visitors: VisitorTable
  agents: AgentTable
  agent_sessions: AgentSessionTable
  conversations: ConversationTable
  messages: MessageTable
  visitor_tokens: VisitorTokenTable
}

export interface SiteTable {
  id: string
  name: string
  /** JSON array of allowed origins, such as `["https://shop.example"]`. */
  origins: string
  created_at: string
}

export interface VisitorTable {
  id: string
  site_id: string
  /** SHA-256 of the visitor's bearer token; the token itself is never stored. */
  token_hash: string
  created_at: string
  /** The shop's id for the person (the identity token's `sub`), unique per site; null if anonymous. */
  external_id: string | null
  /** JSON of the visitor's ContextView (its `conversation` scope waits for the next conversation). */
  context: string | null
}

/** Further tokens of a visitor: one per device that identified as it after the first. */
export interface VisitorTokenTable {
  /** SHA-256 of the bearer token, as `visitors.token_hash`. */
  token_hash: string
  visitor_id: string
  created_at: string
}

export interface AgentTable {
  id: string
  email: string
  name: string
  role: 'admin' | 'agent'
  password_hash: string
  created_at: string
}

export interface AgentSessionTable {
  /** SHA-256 of the session cookie's value. */
  id_hash: string
  agent_id: string
  csrf_token: string
  created_at: string
  expires_at: string
}

export interface ConversationTable {
  id: string
  site_id: string
  visitor_id: string
  status: 'open' | 'closed'
  /** Seq of the last message: the next one gets last_seq + 1, in the same transaction. */
  last_seq: Generated<number>
  created_at: string
  updated_at: string
  /** JSON of the ContextView agents read (without `trigger`), kept current while open. */
  context: string | null
  /** JSON of the rule match that started the conversation, if a rule did. */
  trigger: string | null
  /** The anonymous visitor it belonged to before identify moved it to the known visitor. */
  moved_from_visitor_id: string | null
}

export interface MessageTable {
  conversation_id: string
  seq: number
  /** The sender's id for the message (UUIDv7); unique per conversation, so retries are no-ops. */
  client_id: string
  author_role: 'visitor' | 'agent' | 'system'
  author_id: string
  author_name: string | null
  /** JSON of the MessageInput. */
  content: string
  created_at: string
}
