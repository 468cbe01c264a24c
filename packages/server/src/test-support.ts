import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type Transport, type WebSocketConstructor } from '@causette/transport'
import { WebSocket } from 'ws'
import { type CausetteServer, createServer, type ServerOptions } from './create-server.js'

export const agentCredentials = { email: 'ada@shop.test', password: 'correct horse battery staple' }

export interface TestServer {
  readonly server: CausetteServer
  readonly url: string
  readonly dataDir: string
  stop(): Promise<void>
}

/** A real server on an ephemeral port with a fresh SQLite file in a temp directory. */
export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'causette-test-'))
  const server = await createServer({
    dataDir,
    logger: false,
    seedAgent: agentCredentials,
    staticDirs: { store: false, widget: false, console: false },
    ...options,
  })
  const url = await server.listen({ port: 0, host: '127.0.0.1' })
  return {
    server,
    url,
    dataDir,
    async stop() {
      await server.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** A `ws` WebSocket class that sends the given headers (cookie, origin) on the upgrade. */
export function webSocketWith(headers: Record<string, string>): WebSocketConstructor {
  return class extends WebSocket {
    constructor(url: string) {
      super(url, { headers })
    }
  } as unknown as WebSocketConstructor
}

export async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T
}

/** Creates a visitor and its conversation through the widget's REST endpoints. */
export async function newVisitor(url: string) {
  const visitor = await json<{ visitorId: string; token: string }>(
    await fetch(`${url}/api/v1/widget/visitors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ siteId: 'demo' }),
    }),
  )
  const { conversation } = await json<{ conversation: { id: string } }>(
    await fetch(`${url}/api/v1/widget/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${visitor.token}` },
    }),
  )
  return { ...visitor, conversationId: conversation.id }
}

/** Signs the seeded agent in; returns its cookie header and CSRF token. */
export async function signIn(url: string) {
  const response = await fetch(`${url}/api/v1/agent/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(agentCredentials),
  })
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status}`)
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
  const { csrfToken } = await json<{ csrfToken: string }>(response)
  return { cookie, csrfToken }
}

export function wsUrl(url: string) {
  return `${url.replace(/^http/, 'ws')}/transport`
}

export function visitorTransport(url: string, token: string): Transport {
  return connect({ url: wsUrl(url), auth: () => token, WebSocket: webSocketWith({}) })
}

export function agentTransport(url: string, cookie: string): Transport {
  return connect({ url: wsUrl(url), WebSocket: webSocketWith({ cookie }) })
}

/** Resolves when `predicate` holds, checking on every tick; rejects after `ms`. */
export async function until(predicate: () => boolean, ms = 10_000, what = 'condition') {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
