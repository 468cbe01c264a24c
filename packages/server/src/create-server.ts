import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from 'fastify'
import { hashPassword } from './auth/password.js'
import { type ChatTransport, createChatTransport, type TransportLimits } from './chat-transport.js'
import { createLocalFanout, createRedisFanout } from './fanout.js'
import { agentRoutes } from './http/agent-routes.js'
import { widgetRoutes } from './http/widget-routes.js'
import {
  createIdentityVerifier,
  type IdentityVerifier,
} from './identity/create-identity-verifier.js'
import type { SiteIdentityConfig } from './identity/identity-config.js'
import { createLocalPresence, createRedisPresence } from './presence.js'
import { createRateLimiter } from './rate-limiter.js'
import { ServerError } from './server-error.js'
import { createPostgresStore } from './store/create-postgres-store.js'
import { createSqliteStore } from './store/create-sqlite-store.js'
import type { Site, Store } from './store/store.js'

/** A site created or updated at start. Its identity keys stay in memory, never in the store. */
export interface SiteOptions extends Site {
  /** Keys that verify the identity tokens the site's backend mints (docs/identity.md). @default none: identify is off */
  readonly identity?: SiteIdentityConfig
}

export interface ServerOptions {
  /** Where data lives. @default './.causette' */
  readonly dataDir?: string
  /** The SQLite file. @default `${dataDir}/causette.db` */
  readonly databasePath?: string
  /**
   * PostgreSQL instead of SQLite, for several nodes on one database: `postgres://…`, and a
   * schema (created if missing). @default SQLite in `dataDir`
   */
  readonly postgres?: { readonly url: string; readonly schema?: string }
  /** Redis for fan-out between nodes (`redis://…`), and its channel. @default in-process */
  readonly redis?: { readonly url: string; readonly channel?: string }
  /** Sites created or updated at start. @default one site, `demo`, reachable from the server's own origin */
  readonly sites?: readonly SiteOptions[]
  /** Creates or updates this agent at start (admin role). */
  readonly seedAgent?: { readonly email: string; readonly password: string; readonly name?: string }
  /**
   * When the store has no agent and no `seedAgent` is given, create a demo agent with a random
   * password and pass the credentials here, once. @default false
   */
  readonly onDemoAgent?: ((credentials: { email: string; password: string }) => void) | false
  /** Directories served as static files; `false` turns one off. Defaults: the workspace's builds. */
  readonly staticDirs?: {
    readonly store?: string | false
    readonly widget?: string | false
    readonly console?: string | false
  }
  /** Fastify's logger option (pino). @default true */
  readonly logger?: FastifyServerOptions['logger']
  /** Sets `Secure` on the agent session cookie. @default false */
  readonly secureCookies?: boolean
  /**
   * Behind a reverse proxy: take the client's address from `X-Forwarded-For` (for per-IP
   * limits) and the protocol from `X-Forwarded-Proto`. Never enable it without a proxy that
   * sets these headers, or clients choose their own address. @default false
   */
  readonly trustProxy?: boolean
  readonly transport?: TransportLimits
  readonly limits?: {
    /** New visitors per client IP per minute. @default 30 */
    readonly visitorsPerIpPerMinute?: number
    /** Sign-in attempts per IP, and per email, per 15 minutes. @default 10 */
    readonly signInsPer15Minutes?: number
    /** Widget availability requests per client IP per minute. @default 60 */
    readonly availabilityPerIpPerMinute?: number
  }
}

export interface CausetteServer {
  readonly app: FastifyInstance
  readonly store: Store
  readonly chat: ChatTransport
  /** Starts listening; resolves to the base URL, such as `http://127.0.0.1:8080`. */
  listen(options?: { readonly port?: number; readonly host?: string }): Promise<string>
  /** Stops taking connections, closes every socket with 1001, then closes the store. */
  close(): Promise<void>
}

const here = fileURLToPath(new URL('.', import.meta.url))
/** Works from `src/` (tests) and from `dist/` (start) alike: both sit one level under the package. */
export const workspaceDirs = {
  store: resolve(here, '../../../examples/store'),
  widget: resolve(here, '../../widget/dist/cdn'),
  console: resolve(here, '../../console/dist'),
} as const

/** Largest JSON body of a REST request. */
const bodyLimit = 64 * 1024

/**
 * Creates the Causette server: REST API, transport, static files, store.
 *
 * @example
 * const server = await createServer({ dataDir: './.causette' })
 * console.log(await server.listen({ port: 8080 }))
 */
export async function createServer(options: ServerOptions = {}): Promise<CausetteServer> {
  const dataDir = options.dataDir ?? './.causette'
  const sites = options.sites ?? [{ id: 'demo', name: 'Demo shop', origins: [] }]
  // A bad key fails the start, before anything is opened.
  const verifiers = new Map<string, IdentityVerifier>()
  for (const site of sites) {
    if (site.identity) verifiers.set(site.id, createIdentityVerifier(site.identity))
  }
  const store = options.postgres
    ? await createPostgresStore(options.postgres)
    : await createSqliteStore(options.databasePath ?? join(dataDir, 'causette.db'))
  const app = Fastify({
    logger: options.logger ?? true,
    bodyLimit,
    trustProxy: options.trustProxy ?? false,
    forceCloseConnections: true,
  })

  for (const { id, name, origins } of sites) await store.upsertSite({ id, name, origins })
  await seedAgents(store, options)

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ServerError) {
      if (error.retryAfterS !== undefined) reply.header('Retry-After', String(error.retryAfterS))
      return reply.code(error.status).send({ error: { code: error.code, message: error.message } })
    }
    const status = (error as { statusCode?: number }).statusCode
    const message = error instanceof Error ? error.message : 'bad request'
    if (status === 413) {
      return reply
        .code(413)
        .send({ error: { code: 'payload_too_large', message: `body over ${bodyLimit} bytes` } })
    }
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(400).send({ error: { code: 'bad_request', message } })
    }
    request.log.error({ err: error }, 'unhandled error')
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error' } })
  })
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: {
        code: 'not_found',
        message: `no route for ${request.method} ${request.url.split('?')[0]}`,
      },
    }),
  )

  app.addHook('onSend', async (_request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff')
    reply.header('Referrer-Policy', 'strict-origin-when-cross-origin')
  })

  const fanout = options.redis
    ? createRedisFanout({ ...options.redis, log: app.log })
    : createLocalFanout()
  const presence = options.redis
    ? createRedisPresence({
        url: options.redis.url,
        prefix: `${options.redis.channel ?? 'causette:fanout'}:presence`,
      })
    : createLocalPresence()
  const chat = createChatTransport({
    server: app.server,
    store,
    fanout,
    presence,
    log: app.log,
    clientIp: (request) => clientIp(request, options.trustProxy ?? false),
    ...(options.transport ? { limits: options.transport } : {}),
  })
  // Long-poll requests go to the transport before Fastify parses their bodies.
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.url.startsWith('/transport/')) return done()
    reply.hijack()
    chat.transport.handleRequest(request.raw, reply.raw).then(
      (handled) => {
        if (handled) return
        reply.raw.writeHead(404, { 'Content-Type': 'application/json' })
        reply.raw.end(
          JSON.stringify({ error: { code: 'not_found', message: 'no such transport endpoint' } }),
        )
      },
      (error: unknown) => {
        request.log.error({ err: error }, 'long-poll failed')
        if (!reply.raw.headersSent) reply.raw.writeHead(500, { 'Content-Type': 'application/json' })
        reply.raw.end(
          JSON.stringify({ frames: [{ t: 'error', code: 'internal', message: 'internal error' }] }),
        )
      },
    )
  })

  app.get('/healthz', async () => ({ ok: true }))

  const limits = options.limits ?? {}
  await app.register(
    async (api) => {
      await api.register(widgetRoutes, {
        prefix: '/widget',
        store,
        visitorLimiter: createRateLimiter({
          limit: limits.visitorsPerIpPerMinute ?? 30,
          windowMs: 60_000,
        }),
        identity: (siteId: string) => verifiers.get(siteId),
        // A conversation moved to the visitor known under a JWT's `sub`: agents' lists follow.
        onConversationMoved: (conversation) => chat.announce(conversation),
        agentsOnline: async () => (await presence.onlineAgentIds()).length,
        availabilityPerMinute: limits.availabilityPerIpPerMinute ?? 60,
      })
      await api.register(agentRoutes, {
        store,
        signInLimiter: createRateLimiter({
          limit: limits.signInsPer15Minutes ?? 10,
          windowMs: 15 * 60_000,
        }),
        secureCookies: options.secureCookies ?? false,
        presence,
        onSignOut: (sessionHash: string) =>
          chat.transport.disconnect((p) => p.kind === 'agent' && p.sessionHash === sessionHash),
      })
    },
    { prefix: '/api/v1' },
  )

  await registerStatic(app, { ...workspaceDirs, ...options.staticDirs })

  let closed: Promise<void> | undefined
  return {
    app,
    store,
    chat,
    async listen({ port = 8080, host = 'localhost' } = {}) {
      const address = await app.listen({ port, host })
      return address.replace('[::1]', 'localhost')
    },
    close() {
      closed ??= (async () => {
        await chat.transport.close()
        await app.close()
        await fanout.close()
        await presence.close()
        await store.close()
      })()
      return closed
    },
  }
}

/** The client's address: the socket's, or behind a trusted proxy the first `X-Forwarded-For` hop. */
function clientIp(request: IncomingMessage, trustProxy: boolean): string {
  const forwarded = request.headers['x-forwarded-for']
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim()
  return (trustProxy && first) || request.socket.remoteAddress || 'unknown'
}

async function seedAgents(store: Store, options: ServerOptions) {
  const seed = options.seedAgent
  if (seed) {
    await store.upsertAgent({
      email: seed.email,
      name: seed.name ?? seed.email.split('@')[0] ?? seed.email,
      role: 'admin',
      passwordHash: await hashPassword(seed.password),
    })
    return
  }
  if (!options.onDemoAgent || (await store.countAgents()) > 0) return
  const credentials = {
    email: 'agent@causette.local',
    password: randomBytes(12).toString('base64url'),
  }
  await store.upsertAgent({
    email: credentials.email,
    name: 'Demo agent',
    role: 'admin',
    passwordHash: await hashPassword(credentials.password),
  })
  options.onDemoAgent(credentials)
}

const pageSecurityHeaders = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Frame-Options': 'DENY',
}

async function registerStatic(
  app: FastifyInstance,
  dirs: { store: string | false; widget: string | false; console: string | false },
) {
  const serve = async (root: string, prefix: string, headers: Record<string, string>) => {
    if (!existsSync(root)) {
      app.get(`${prefix}*`, async () => {
        throw new ServerError('not_found', `not built: ${root} is missing (run npm run build)`)
      })
      return
    }
    await app.register(fastifyStatic, {
      root,
      prefix,
      decorateReply: false,
      setHeaders(res: FastifyReply) {
        for (const [name, value] of Object.entries(headers)) res.header(name, value)
      },
    })
  }
  // Shops load the widget cross-origin; it must be fetchable as a module script.
  if (dirs.widget) {
    await serve(dirs.widget, '/widget/', {
      'Access-Control-Allow-Origin': '*',
      'Cache-Control': 'public, max-age=300',
    })
  }
  if (dirs.console) {
    await serve(dirs.console, '/console/', pageSecurityHeaders)
    app.get('/console', (_request, reply) => reply.redirect('/console/'))
  }
  if (dirs.store) {
    // The demo shop inlines the host API snippet (docs/host-api.md) under a strict CSP: its
    // policy allows exactly the inline scripts of its own pages, by hash, and nothing else.
    const hashes = inlineScriptHashes(dirs.store).map((hash) => `'${hash}'`)
    const csp = pageSecurityHeaders['Content-Security-Policy'].replace(
      "script-src 'self'",
      ["script-src 'self'", ...hashes].join(' '),
    )
    await serve(dirs.store, '/', { ...pageSecurityHeaders, 'Content-Security-Policy': csp })
  }
}

/** `sha256-…` sources for the inline `<script>` elements of the HTML pages in `dir`. */
function inlineScriptHashes(dir: string): string[] {
  if (!existsSync(dir)) return []
  const hashes = new Set<string>()
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.html')) continue
    const html = readFileSync(join(dir, file), 'utf8')
    for (const match of html.matchAll(/<script>([\s\S]*?)<\/script>/g)) {
      hashes.add(
        `sha256-${createHash('sha256')
          .update(match[1] ?? '')
          .digest('base64')}`,
      )
    }
  }
  return [...hashes]
}
