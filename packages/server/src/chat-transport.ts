import type { IncomingMessage, Server } from 'node:http'
import {
  type ConversationSummary,
  conversationStream,
  decode,
  type InboxSignal,
  inboxTopic,
  MessageInput,
  parseConversationStream,
  TypingInput,
  type TypingSignal,
} from '@causette/events'
import {
  createTransportServer,
  type TransportLogger,
  type TransportServer,
  type TransportServerOptions,
} from '@causette/transport/server'
import { hashToken } from './auth/tokens.js'
import type { Fanout } from './fanout.js'
import { agentSessionOf } from './http/agent-routes.js'
import { isSameOrigin, originAllowed } from './http/origins.js'
import type { Presence } from './presence.js'
import type { Store } from './store/store.js'

/** Who is on the other end of a transport connection. */
export type Principal =
  | { readonly kind: 'visitor'; readonly visitorId: string; readonly siteId: string }
  | {
      readonly kind: 'agent'
      readonly agentId: string
      readonly name: string
      /** SHA-256 of the session cookie: sign-out closes this session's connections. */
      readonly sessionHash: string
      /** Epoch milliseconds when the session ends; the connection ends with it. */
      readonly expiresAt: number
    }

export type TransportLimits = Partial<
  Pick<
    TransportServerOptions<Principal>,
    | 'path'
    | 'maxFrameBytes'
    | 'maxBufferedBytes'
    | 'heartbeatMs'
    | 'helloTimeoutMs'
    | 'rate'
    | 'maxInvalidFrames'
    | 'maxConnections'
    | 'maxConnectionsPerIp'
    | 'maxConnectionsPerPrincipal'
    | 'pollHoldMs'
    | 'maxHeldPolls'
    | 'pollRate'
  >
>

export interface ChatTransport {
  readonly transport: TransportServer<Principal>
  /** Publishes a conversation change: the new item to followers, the summary to agents. */
  announce(
    conversation: ConversationSummary,
    item?: Parameters<TransportServer['publish']>[1][number],
  ): void
}

/**
 * Binds the generic transport to chat: visitors (bearer token in `hello`) follow their own
 * conversations, agents (session cookie on the upgrade) follow any and hear the inbox.
 */
export function createChatTransport(options: {
  readonly server: Server
  readonly store: Store
  readonly limits?: TransportLimits
  readonly log: TransportLogger
  /** The client's address for per-IP limits (behind a trusted proxy, from its header). */
  readonly clientIp: (request: IncomingMessage) => string
  /** How this node hears about items and signals from other nodes. */
  readonly fanout: Fanout
  /** Which agents are connected, on any node. */
  readonly presence: Presence
}): ChatTransport {
  const { store } = options
  const signalAccess = createAccessCache()

  function announce(
    conversation: ConversationSummary,
    item?: Parameters<TransportServer['publish']>[1][number],
  ) {
    if (item)
      options.fanout.publish({
        kind: 'items',
        stream: conversationStream(conversation.id),
        items: [item],
      })
    const signal: InboxSignal = { type: 'conversation.updated', conversation }
    options.fanout.publish({ kind: 'signal', topic: inboxTopic(conversation.siteId), body: signal })
  }

  /** Visitors reach their own conversations (writing only while open); agents reach any. */
  async function canAccess(principal: Principal, stream: string, access: 'read' | 'write') {
    const conversationId = parseConversationStream(stream)
    if (!conversationId) return false
    const conversation = await store.getConversation(conversationId)
    if (!conversation) return false
    if (principal.kind === 'agent') return true
    // The device that identified itself keeps its sends in flight under the anonymous token it
    // had: the conversation it started followed it to the known visitor (docs/identity.md).
    const owner =
      conversation.visitorId === principal.visitorId ||
      conversation.movedFromVisitorId === principal.visitorId
    return owner && (access === 'read' || conversation.status === 'open')
  }

  const transport = createTransportServer<Principal>({
    ...options.limits,
    server: options.server,
    log: options.log,
    clientIp: options.clientIp,
    async allowOrigin(origin, request) {
      if (origin === undefined) return true
      const sites = await store.listSites()
      return (
        originAllowed(undefined, origin, request.headers.host) ||
        sites.some((site) => originAllowed(site, origin, request.headers.host))
      )
    },
    async authenticate({ token, request }) {
      if (token !== undefined) {
        const visitor = await store.findVisitorByTokenHash(hashToken(token))
        if (!visitor) return undefined
        const site = await store.getSite(visitor.siteId)
        if (!originAllowed(site, request.headers.origin, request.headers.host)) return undefined
        return { principal: { kind: 'visitor', visitorId: visitor.id, siteId: visitor.siteId } }
      }
      // The agent's cookie rides along on any same-site request, including a shop page on a
      // sibling host: only the server's own pages (the console) may act as the agent.
      const origin = request.headers.origin
      if (origin !== undefined && !isSameOrigin(origin, request.headers.host)) return undefined
      const session = await agentSessionOf(store, request.headers.cookie)
      if (!session) return undefined
      const sites = await store.listSites()
      return {
        principal: {
          kind: 'agent',
          agentId: session.agent.id,
          name: session.agent.name,
          sessionHash: session.idHash,
          expiresAt: Date.parse(session.expiresAt),
        },
        topics: sites.map((site) => inboxTopic(site.id)),
      }
    },
    stillValid: (principal) => principal.kind !== 'agent' || principal.expiresAt > Date.now(),
    principalKey: (principal) =>
      principal.kind === 'agent' ? `agent:${principal.agentId}` : `visitor:${principal.visitorId}`,
    authorize: (principal, stream, access) => canAccess(principal, stream, access),
    onConnect: (principal) => {
      if (principal.kind === 'agent') options.presence.connected(principal.agentId)
    },
    onDisconnect: (principal) => {
      if (principal.kind === 'agent') options.presence.disconnected(principal.agentId)
    },
    onPoll: (principal) => {
      if (principal.kind === 'agent') options.presence.polled(principal.agentId)
    },
    async append(principal, { stream, id, body }) {
      const content = decode(MessageInput, body)
      if (!content.ok) return { ok: false, code: 'invalid_payload', message: content.error }
      const conversationId = parseConversationStream(stream)
      if (!conversationId) return { ok: false, code: 'forbidden', message: 'not a conversation' }
      const author =
        principal.kind === 'agent'
          ? { role: 'agent' as const, id: principal.agentId, name: principal.name }
          : { role: 'visitor' as const, id: principal.visitorId }
      const outcome = await store.appendMessage({
        conversationId,
        clientId: id,
        author,
        content: content.value,
      })
      if (!outcome.ok) return { ok: false, code: 'forbidden', message: 'no such conversation' }
      // Also for a duplicate: the first attempt may have been stored and then lost its
      // announcement (connection cut after commit, node killed, drain). Followers that already
      // hold the item ignore it.
      announce(outcome.conversation, outcome.item)
      return { ok: true, item: outcome.item }
    },
    // Typing: relayed to the conversation's followers on every node, never stored.
    async onSignal(principal, topic, body) {
      const typing = decode(TypingInput, body)
      if (!typing.ok) return
      // Typing frames come every few seconds from every open composer: the access check is
      // cached briefly instead of costing a query per frame. An ephemeral signal is not worth a
      // connection: a failed check just drops it.
      const allowed = await signalAccess(principal, topic, () =>
        canAccess(principal, topic, 'write').catch(() => false),
      )
      if (!allowed) return
      const author =
        principal.kind === 'agent'
          ? { role: 'agent' as const, id: principal.agentId, name: principal.name }
          : { role: 'visitor' as const, id: principal.visitorId }
      const signal: TypingSignal = { type: 'typing', typing: typing.value.typing, author }
      options.fanout.publish({ kind: 'signal', topic, body: signal })
    },
    async replay(stream, afterSeq, limit) {
      const conversationId = parseConversationStream(stream)
      return conversationId ? store.replay(conversationId, afterSeq, limit) : []
    },
    async heads(streams) {
      const ids = new Map<string, string>()
      for (const stream of streams) {
        const id = parseConversationStream(stream)
        if (id) ids.set(id, stream)
      }
      const seqs = await store.lastSeqs([...ids.keys()])
      const heads = new Map<string, number>()
      for (const [id, seq] of seqs) heads.set(conversationStream(id), seq)
      return heads
    },
  })

  options.fanout.onMessage((message) => {
    if (message.kind === 'items') transport.publish(message.stream, message.items)
    else transport.signal(message.topic, message.body)
  })
  // Doorbells may have been lost while the link was down: catch every follower up from the
  // store, and tell this node's agents to fetch their inbox again (signals are not replayed).
  options.fanout.onReconnect(() => {
    void transport.resync()
    void store
      .listSites()
      .then((sites) => {
        for (const site of sites) {
          const stale: InboxSignal = { type: 'inbox.stale', siteId: site.id }
          transport.signal(inboxTopic(site.id), stale)
        }
      })
      .catch((error: unknown) => options.log.error({ err: error }, 'inbox.stale failed'))
  })

  return { transport, announce }
}

/** How long a signal's access check is remembered, and how many are. */
const accessTtlMs = 5_000
const accessCacheMax = 10_000

/**
 * Remembers recent access checks for signals, per principal and topic, for `accessTtlMs`. A
 * revoked access (a closed conversation) is honoured within that time; messages are always
 * checked against the store.
 */
function createAccessCache() {
  const entries = new Map<string, { readonly allowed: Promise<boolean>; readonly until: number }>()
  return (principal: Principal, topic: string, check: () => Promise<boolean>) => {
    const who = principal.kind === 'agent' ? `a:${principal.agentId}` : `v:${principal.visitorId}`
    const key = `${who} ${topic}`
    const now = Date.now()
    const hit = entries.get(key)
    if (hit && hit.until > now) return hit.allowed
    entries.delete(key)
    // Oldest first: Map keeps insertion order, so the cap evicts the stalest checks.
    if (entries.size >= accessCacheMax) {
      const oldest = entries.keys().next().value
      if (oldest !== undefined) entries.delete(oldest)
    }
    const allowed = check()
    entries.set(key, { allowed, until: now + accessTtlMs })
    return allowed
  }
}
