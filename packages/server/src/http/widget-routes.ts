import type { ConversationSummary, VisitorSession } from '@causette/events'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { createToken, hashToken } from '../auth/tokens.js'
import type { RateLimiter } from '../rate-limiter.js'
import { ServerError } from '../server-error.js'
import type { Store, Visitor } from '../store/store.js'
import { originAllowed } from './origins.js'

export interface WidgetRoutesOptions {
  readonly store: Store
  /** Visitor creations per client IP. */
  readonly visitorLimiter: RateLimiter
}

/** The endpoints the widget calls from the shop's pages, cross-origin: `/api/v1/widget/*`. */
export async function widgetRoutes(
  app: FastifyInstance,
  { store, visitorLimiter }: WidgetRoutesOptions,
) {
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

  app.post('/conversations', async (request): Promise<{ conversation: ConversationSummary }> => {
    const visitor = await visitorOf(request)
    return { conversation: await store.openConversation(visitor) }
  })
}
