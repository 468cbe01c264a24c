import type { ConversationSummary, VisitorSession } from '@causette/events'
import {
  type ContextInputError,
  type ContextRejection,
  ContextUpdate,
  ConversationStart,
  contextUpdateOf,
  decodeContext,
  IdentifyRequest,
  type IdentifyResult,
} from '@causette/events'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { createToken, hashToken } from '../auth/tokens.js'
import type { IdentityVerifier } from '../identity/create-identity-verifier.js'
import { identityErrorCodes } from '../identity/identity-errors.js'
import { createRateLimiter, type RateLimiter } from '../rate-limiter.js'
import { ServerError } from '../server-error.js'
import { contextChange, contextChanges } from '../store/context-change.js'
import type { Store, Visitor } from '../store/store.js'
import { originAllowed } from './origins.js'

export interface WidgetRoutesOptions {
  readonly store: Store
  /** Visitor creations per client IP. */
  readonly visitorLimiter: RateLimiter
  /** The identity verifier of a site, if it has identity keys. @default none: identify is off */
  readonly identity?: (siteId: string) => IdentityVerifier | undefined
  /** Epoch milliseconds, for context timestamps. @default Date.now */
  readonly now?: () => number
  /** Identify calls per minute, per visitor and per client IP. @default { perVisitor: 10, perIp: 30 } */
  readonly identifyPerMinute?: { readonly perVisitor: number; readonly perIp: number }
  /** Context updates (`POST /context`, and context given to `POST /conversations`) per visitor per minute. @default 120 */
  readonly contextUpdatesPerMinute?: number
  /** A conversation changed visitor (identify moved it to the known one): agents should hear. */
  readonly onConversationMoved?: (conversation: ConversationSummary) => void
  /** How many agents are online, for `GET /sites/:siteId/availability`. @default none: 0 */
  readonly agentsOnline?: () => Promise<number>
  /** Availability requests per client IP per minute. @default 60 */
  readonly availabilityPerMinute?: number
}

/** Replies with a typed error whose code is not one of ServerError's (identity, context input). */
function refuse(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ error: { code, message } })
}

const refuseInput = (reply: FastifyReply, error: ContextInputError) =>
  refuse(reply, 400, error.code, error.message)

/** The endpoints the widget calls from the shop's pages, cross-origin: `/api/v1/widget/*`. */
export async function widgetRoutes(app: FastifyInstance, options: WidgetRoutesOptions) {
  const { store, visitorLimiter } = options
  const now = options.now ?? Date.now
  const identifyVisitorLimiter = createRateLimiter({
    limit: options.identifyPerMinute?.perVisitor ?? 10,
    windowMs: 60_000,
  })
  const identifyIpLimiter = createRateLimiter({
    limit: options.identifyPerMinute?.perIp ?? 30,
    windowMs: 60_000,
  })
  const contextLimiter = createRateLimiter({
    limit: options.contextUpdatesPerMinute ?? 120,
    windowMs: 60_000,
  })

  // CORS, per site: the allowlist decides which shop pages may call these endpoints. No
  // credentials (cookies) are involved: the visitor's token travels in Authorization.
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin
    if (origin === undefined) return
    const sites = await store.listSites()
    if (!sites.some((site) => originAllowed(site, origin, request.headers.host))) {
      throw new ServerError('forbidden', 'origin not allowed')
    }
    reply.header('Access-Control-Allow-Origin', origin)
    reply.header('Vary', 'Origin')
    if (request.method === 'OPTIONS') {
      reply.header('Access-Control-Allow-Methods', 'GET, POST')
      reply.header('Access-Control-Allow-Headers', 'Authorization, Content-Type')
      reply.header('Access-Control-Max-Age', '600')
      return reply.code(204).send()
    }
  })
  app.options('/*', async () => undefined)

  async function visitorOf(request: FastifyRequest): Promise<Visitor> {
    const header = request.headers.authorization
    const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined
    const visitor = token ? await store.findVisitorByTokenHash(hashToken(token)) : undefined
    if (!visitor) throw new ServerError('unauthorized', 'missing or invalid visitor token')
    const site = await store.getSite(visitor.siteId)
    if (!originAllowed(site, request.headers.origin, request.headers.host)) {
      throw new ServerError('forbidden', 'origin not allowed for this site')
    }
    return visitor
  }

  // Whether anyone can answer now: engagement rules on `agents.available` ask it before offering
  // help. No visitor token is needed (a visitor may have none yet); the origin must be allowed
  // for the site, the rate is limited per address, and the answer is cached for a second or
  // two so that a busy shop costs one presence query, not one per page view.
  const availabilityLimiter = createRateLimiter({
    limit: options.availabilityPerMinute ?? 60,
    windowMs: 60_000,
  })
  let onlineCache: { readonly at: number; readonly count: Promise<number> } | undefined
  app.get<{ Params: { siteId: string } }>(
    '/sites/:siteId/availability',
    async (request, reply): Promise<{ agentsOnline: number }> => {
      const retryAfterS = availabilityLimiter.hit(request.ip)
      if (retryAfterS > 0) {
        throw new ServerError('rate_limited', 'too many availability requests', { retryAfterS })
      }
      const site = await store.getSite(request.params.siteId)
      if (!site) throw new ServerError('not_found', 'no such site')
      if (!originAllowed(site, request.headers.origin, request.headers.host)) {
        throw new ServerError('forbidden', 'origin not allowed for this site')
      }
      const at = now()
      if (!onlineCache || at - onlineCache.at > 2_000) {
        const count = options.agentsOnline?.() ?? Promise.resolve(0)
        onlineCache = { at, count }
        count.catch(() => {
          onlineCache = undefined
        })
      }
      reply.header('Cache-Control', 'private, max-age=2')
      return { agentsOnline: await onlineCache.count }
    },
  )

  app.post<{ Body: { siteId?: unknown } }>(
    '/visitors',
    async (request, reply): Promise<VisitorSession> => {
      const retryAfterS = visitorLimiter.hit(request.ip)
      if (retryAfterS > 0) {
        throw new ServerError('rate_limited', 'too many new visitors from this address', {
          retryAfterS,
        })
      }
      const siteId = request.body?.siteId
      if (typeof siteId !== 'string') throw new ServerError('bad_request', 'siteId is required')
      const site = await store.getSite(siteId)
      if (!site) throw new ServerError('not_found', 'no such site')
      if (!originAllowed(site, request.headers.origin, request.headers.host)) {
        throw new ServerError('forbidden', 'origin not allowed for this site')
      }
      const token = createToken()
      const visitor = await store.createVisitor({ siteId, tokenHash: hashToken(token) })
      reply.code(201)
      return { visitorId: visitor.id, token }
    },
  )

  app.get(
    '/conversation',
    async (request): Promise<{ conversation: ConversationSummary | null }> => {
      const visitor = await visitorOf(request)
      return { conversation: (await store.findOpenConversation(visitor.id)) ?? null }
    },
  )

  function limitContext(visitor: Visitor) {
    const retryAfterS = contextLimiter.hit(visitor.id)
    if (retryAfterS > 0) {
      throw new ServerError('rate_limited', 'too many context updates', { retryAfterS })
    }
  }

  async function applyContext(
    visitor: Visitor,
    update: ContextUpdate,
  ): Promise<readonly ContextRejection[]> {
    const changed = await store.changeContext(visitor.id, contextChange(update, 'host', now()))
    if (!changed) throw new ServerError('unauthorized', 'missing or invalid visitor token')
    return changed.result
  }

  // Context given before the conversation exists waits on the visitor and starts with it.
  app.post(
    '/conversations',
    async (
      request,
      reply,
    ): Promise<{ conversation: ConversationSummary; rejected?: readonly ContextRejection[] }> => {
      const visitor = await visitorOf(request)
      const start = decodeContext(ConversationStart, request.body ?? {})
      if (!start.ok) return refuseInput(reply, start.error)
      let rejected: readonly ContextRejection[] | undefined
      if (start.value.context) {
        limitContext(visitor)
        rejected = await applyContext(visitor, start.value.context)
      }
      const trigger = start.value.trigger
      const conversation = await store.openConversation(visitor, trigger ? { trigger } : {})
      return { conversation, ...(rejected ? { rejected } : {}) }
    },
  )

  app.post(
    '/context',
    async (request, reply): Promise<{ ok: true; rejected: readonly ContextRejection[] }> => {
      const visitor = await visitorOf(request)
      limitContext(visitor)
      const update = decodeContext(ContextUpdate, request.body)
      if (!update.ok) return refuseInput(reply, update.error)
      return { ok: true, rejected: await applyContext(visitor, update.value) }
    },
  )

  app.post('/identify', async (request, reply): Promise<IdentifyResult> => {
    const visitor = await visitorOf(request)
    // Before any signature is checked: guessing at keys costs the guesser, not the server.
    const retryAfterS = identifyIpLimiter.hit(request.ip) || identifyVisitorLimiter.hit(visitor.id)
    if (retryAfterS > 0) {
      throw new ServerError('rate_limited', 'too many identify calls', { retryAfterS })
    }
    const body = decodeContext(IdentifyRequest, request.body)
    if (!body.ok) return refuseInput(reply, body.error)
    const verifier = options.identity?.(visitor.siteId)
    if (!verifier) {
      return refuse(
        reply,
        identityErrorCodes.identity_not_configured,
        'identity_not_configured',
        'this site has no identity keys',
      )
    }
    const verified = await verifier.verify(body.value.token)
    if (!verified.ok) {
      return refuse(
        reply,
        identityErrorCodes[verified.error.code],
        verified.error.code,
        verified.error.message,
      )
    }
    const { identity } = verified
    const token = createToken()
    const outcome = await store.identifyVisitor({
      visitorId: visitor.id,
      externalId: identity.sub,
      tokenHash: hashToken(token),
    })
    if (outcome.kind === 'not_found') {
      throw new ServerError('unauthorized', 'missing or invalid visitor token')
    }
    const target = outcome.visitor
    const steps: Array<{ update: ContextUpdate; trust: 'host' | 'verified' }> = []
    // What this device said while anonymous is the same person's: it follows, as host facts
    // (verified ones stay with the visitor they were verified for).
    if (outcome.kind === 'switched' && outcome.from.externalId === undefined) {
      const from = await store.readContext(outcome.from.id)
      if (from) steps.push({ update: contextUpdateOf(from.visitor, 'host'), trust: 'host' })
    }
    steps.push({ update: { visitor: { ...identity.verified } }, trust: 'verified' })
    await store.changeContext(target.id, contextChanges(steps, now()))
    if (outcome.kind === 'switched' && outcome.movedConversationId !== undefined) {
      const moved = await store.getConversation(outcome.movedConversationId)
      if (moved) options.onConversationMoved?.(moved)
    }
    return {
      visitorId: target.id,
      ...(outcome.kind === 'switched' ? { token } : {}),
      verified: { ...identity.verified },
      expiresAt: identity.expiresAt,
    }
  })
}
