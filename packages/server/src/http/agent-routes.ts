import { randomBytes } from 'node:crypto'
import type { ConversationSummary } from '@causette/events'
import {
  type ContextRejection,
  ContextUpdate,
  type ContextView,
  decodeContext,
} from '@causette/events'
import { parseCookie, stringifySetCookie } from 'cookie'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { hashPassword, verifyPassword } from '../auth/password.js'
import { createToken, hashToken } from '../auth/tokens.js'
import type { Presence } from '../presence.js'
import type { RateLimiter } from '../rate-limiter.js'
import { ServerError } from '../server-error.js'
import { contextChange } from '../store/context-change.js'
import type { Agent, AgentSession, Store } from '../store/store.js'
import { isSameOrigin } from './origins.js'

export const sessionCookie = 'causette_session'
/** Agent sessions last 12 hours: one working day, then sign in again. */
export const sessionTtlMs = 12 * 60 * 60 * 1000

export interface AgentRoutesOptions {
  readonly store: Store
  /** Sign-in attempts per client IP, and per email. */
  readonly signInLimiter: RateLimiter
  /** Set the cookie's Secure flag (behind HTTPS). */
  readonly secureCookies: boolean
  /** A session ended (sign-out): its live connections must end too. */
  readonly onSignOut: (sessionHash: string) => void
  /** Which agents are connected, on any node. */
  readonly presence: Presence
}

type PublicAgent = Pick<Agent, 'id' | 'email' | 'name' | 'role'>
const publicAgent = ({ id, email, name, role }: Agent): PublicAgent => ({ id, email, name, role })

/** Resolves the session cookie of a request (or of a WebSocket upgrade) to the agent's session. */
export async function agentSessionOf(
  store: Store,
  cookieHeader: string | undefined,
): Promise<(AgentSession & { idHash: string }) | undefined> {
  const value = readCookie(cookieHeader, sessionCookie)
  if (!value) return undefined
  const idHash = hashToken(value)
  const session = await store.findAgentSession(idHash, new Date().toISOString())
  return session && { ...session, idHash }
}

function readCookie(header: string | undefined, name: string): string | undefined {
  return header ? parseCookie(header)[name] : undefined
}

/** The console's endpoints, same-origin only, cookie-authenticated: `/api/v1/agent/*` and lists. */
export async function agentRoutes(
  app: FastifyInstance,
  { store, signInLimiter, secureCookies, onSignOut, presence }: AgentRoutesOptions,
) {
  // A hash to verify against when the email is unknown, so both cases take the same time.
  const decoy = hashPassword(randomBytes(16).toString('hex'))

  // Cookie-authenticated state changes need the same origin and the session's CSRF token
  // (SameSite=Strict already stops cross-site sends; this is the second lock).
  async function requireAgent(request: FastifyRequest, options = { csrf: false }) {
    const session = await agentSessionOf(store, request.headers.cookie)
    if (!session) throw new ServerError('unauthorized', 'sign in first')
    if (options.csrf) {
      const origin = request.headers.origin
      if (origin !== undefined && !isSameOrigin(origin, request.headers.host)) {
        throw new ServerError('forbidden', 'cross-origin request refused')
      }
      if (request.headers['x-causette-csrf'] !== session.csrfToken) {
        throw new ServerError('forbidden', 'missing or wrong CSRF token')
      }
    }
    return session
  }

  app.post<{ Body: { email?: unknown; password?: unknown } }>(
    '/agent/session',
    async (request, reply) => {
      const origin = request.headers.origin
      if (origin !== undefined && !isSameOrigin(origin, request.headers.host)) {
        throw new ServerError('forbidden', 'cross-origin sign-in refused')
      }
      const { email, password } = request.body ?? {}
      if (
        typeof email !== 'string' ||
        typeof password !== 'string' ||
        email.length > 320 ||
        password.length > 1024
      ) {
        throw new ServerError('bad_request', 'email and password are required')
      }
      // Every attempt counts against the address; only failures count against the email, so
      // that nobody can lock an agent out without guessing at its password from many addresses.
      const emailKey = `email:${email.trim().toLowerCase()}`
      const retryAfterS = signInLimiter.hit(`ip:${request.ip}`) || signInLimiter.blocked(emailKey)
      if (retryAfterS > 0) {
        throw new ServerError('rate_limited', 'too many sign-in attempts', { retryAfterS })
      }
      const found = await store.findAgentCredentials(email)
      const valid = await verifyPassword(password, found?.passwordHash ?? (await decoy))
      if (!found || !valid) {
        signInLimiter.hit(emailKey)
        throw new ServerError('unauthorized', 'wrong email or password')
      }
      const token = createToken()
      const csrfToken = createToken()
      const expiresAt = new Date(Date.now() + sessionTtlMs)
      await store.createAgentSession({
        idHash: hashToken(token),
        agentId: found.agent.id,
        csrfToken,
        expiresAt: expiresAt.toISOString(),
      })
      setSessionCookie(reply, token, expiresAt, secureCookies)
      return { agent: publicAgent(found.agent), csrfToken }
    },
  )

  app.get('/agent/session', async (request) => {
    const session = await requireAgent(request)
    return { agent: publicAgent(session.agent), csrfToken: session.csrfToken }
  })

  app.delete('/agent/session', async (request, reply) => {
    await requireAgent(request, { csrf: true })
    const value = readCookie(request.headers.cookie, sessionCookie)
    if (value) {
      await store.deleteAgentSession(hashToken(value))
      onSignOut(hashToken(value))
    }
    setSessionCookie(reply, '', new Date(0), secureCookies)
    return reply.code(204).send()
  })

  app.get('/agents/online', async (request) => {
    await requireAgent(request)
    const online = new Set(await presence.onlineAgentIds())
    const agents = (await store.listAgents())
      .filter((a) => online.has(a.id))
      .map(({ id, name }) => ({ id, name }))
    return { agents }
  })

  app.get<{ Querystring: { status?: string } }>(
    '/conversations',
    async (request): Promise<{ conversations: readonly ConversationSummary[] }> => {
      await requireAgent(request)
      const status = request.query.status ?? 'open'
      if (status !== 'open' && status !== 'closed') {
        throw new ServerError('bad_request', 'status must be open or closed')
      }
      const sites = await store.listSites()
      const conversations = await store.listConversations({
        siteIds: sites.map((s) => s.id),
        status,
        limit: 200,
      })
      return { conversations }
    },
  )

  // One conversation with the context agents work from: every scope with its trust level, the
  // cart and page snapshots, event counts, and the rule that started it.
  app.get<{ Params: { id: string } }>(
    '/conversations/:id',
    async (request): Promise<{ conversation: ConversationSummary; context: ContextView }> => {
      await requireAgent(request)
      const conversation = await store.getConversation(request.params.id)
      const context = conversation && (await store.conversationContext(conversation.id))
      if (!conversation || !context) throw new ServerError('not_found', 'no such conversation')
      return { conversation, context }
    },
  )

  app.get<{ Params: { id: string } }>('/visitors/:id/context', async (request) => {
    await requireAgent(request)
    const visitor = await store.getVisitor(request.params.id)
    const state = visitor && (await store.readContext(visitor.id))
    if (!visitor || !state) throw new ServerError('not_found', 'no such visitor')
    return {
      visitor: { id: visitor.id, siteId: visitor.siteId, externalId: visitor.externalId ?? null },
      context: state.visitor,
      openConversationId: state.conversation?.id ?? null,
    }
  })

  // The server API's route of trust: what a signed-in agent (or a back-office acting as one)
  // sets is verified, and no page script can override it.
  app.put<{ Params: { id: string } }>(
    '/visitors/:id/context',
    async (
      request,
      reply,
    ): Promise<{ context: ContextView; rejected: readonly ContextRejection[] }> => {
      await requireAgent(request, { csrf: true })
      const update = decodeContext(ContextUpdate, request.body)
      if (!update.ok) {
        return reply
          .code(400)
          .send({ error: { code: update.error.code, message: update.error.message } })
      }
      const changed = await store.changeContext(
        request.params.id,
        contextChange(update.value, 'verified', Date.now()),
      )
      const state = changed && (await store.readContext(request.params.id))
      if (!changed || !state) throw new ServerError('not_found', 'no such visitor')
      return { context: state.visitor, rejected: changed.result }
    },
  )
}

function setSessionCookie(reply: FastifyReply, value: string, expires: Date, secure: boolean) {
  reply.header(
    'Set-Cookie',
    stringifySetCookie({
      name: sessionCookie,
      value,
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      expires,
      secure,
    }),
  )
}
