import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { RuleMatch } from '@causette/events'
import type { StorageLike, Timers } from '@causette/transport'

/** One request the contract server received. */
export interface Recorded {
  readonly method: string
  readonly path: string
  readonly token: string | undefined
  readonly body: unknown
}

type Reply = { readonly status: number; readonly json: unknown }

/**
 * A real HTTP server on an ephemeral port that speaks the widget's side of the contract of
 * issue #4 (`/api/v1/widget/*`: visitors, conversations, identify, context, availability) and records what
 * it is asked. Handlers can be replaced per test.
 */
export async function startContractServer() {
  const requests: Recorded[] = []
  const tokens = new Map<string, string>()
  const open = new Map<string, { id: string; lastSeq: number }>()
  let visitors = 0
  let conversations = 0
  const handlers = {
    identify: (_body: unknown, _visitorId: string): Reply => ({
      status: 400,
      json: { error: { code: 'identity_not_configured', message: 'no keys' } },
    }),
    context: (): Reply => ({ status: 200, json: { ok: true } }),
    /** `GET /sites/:siteId/availability`: no token needed. */
    availability: (): Reply => ({ status: 200, json: { agentsOnline: 2 } }),
  }

  async function body(request: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    return text ? JSON.parse(text) : undefined
  }

  async function handle(request: IncomingMessage): Promise<Reply> {
    const path = (request.url ?? '').replace('/api/v1/widget', '')
    const auth = request.headers.authorization
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined
    const json = await body(request)
    requests.push({ method: request.method ?? '', path, token, body: json })
    if (request.method === 'POST' && path === '/visitors') {
      visitors++
      const visitor = { visitorId: `v${visitors}`, token: `token-${visitors}` }
      tokens.set(visitor.token, visitor.visitorId)
      return { status: 201, json: visitor }
    }
    if (request.method === 'GET' && /^\/sites\/[^/]+\/availability$/.test(path)) {
      return handlers.availability()
    }
    const visitorId = token ? tokens.get(token) : undefined
    if (!visitorId) {
      return { status: 401, json: { error: { code: 'unauthorized', message: 'invalid token' } } }
    }
    const summary = (c: { id: string; lastSeq: number }) => ({
      id: c.id,
      siteId: 'demo',
      visitorId,
      status: 'open',
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
      lastSeq: c.lastSeq,
    })
    if (request.method === 'GET' && path === '/conversation') {
      const current = open.get(visitorId)
      return { status: 200, json: { conversation: current ? summary(current) : null } }
    }
    if (request.method === 'POST' && path === '/conversations') {
      let current = open.get(visitorId)
      if (!current) {
        conversations++
        current = { id: `c${conversations}`, lastSeq: 0 }
        open.set(visitorId, current)
      }
      return { status: 200, json: { conversation: summary(current) } }
    }
    if (request.method === 'POST' && path === '/identify') return handlers.identify(json, visitorId)
    if (request.method === 'POST' && path === '/context') return handlers.context()
    return { status: 404, json: { error: { code: 'not_found', message: path } } }
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    response.setHeader('Access-Control-Allow-Origin', '*')
    response.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type')
    response.setHeader('Access-Control-Allow-Methods', 'GET, POST')
    if (request.method === 'OPTIONS') {
      response.writeHead(204).end()
      return
    }
    handle(request).then(
      (reply) => {
        response.writeHead(reply.status, { 'Content-Type': 'application/json' })
        response.end(JSON.stringify(reply.json))
      },
      (error: unknown) => {
        response.writeHead(500).end(String(error))
      },
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handlers,
    /** Registers a visitor token the server knows, as if created earlier. */
    knowVisitor(visitorId: string, token: string) {
      tokens.set(token, visitorId)
    },
    /** Opens a conversation for a visitor, as if started in another tab. */
    openConversation(visitorId: string, id: string, lastSeq = 0) {
      open.set(visitorId, { id, lastSeq })
    },
    /** Forgets every visitor, as after a data reset. */
    forgetVisitors() {
      tokens.clear()
      open.clear()
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** A clock whose time and timers move only when a test says so. */
export function createFakeClock(start = 1_700_000_000_000) {
  let time = start
  let nextId = 0
  const timers = new Map<number, { at: number; run: () => void }>()
  const clock = {
    now: () => time,
    timers: {
      setTimeout: (run: () => void, ms: number) => {
        nextId++
        timers.set(nextId, { at: time + Math.max(0, ms), run })
        return nextId
      },
      clearTimeout: (id: unknown) => void timers.delete(id as number),
    } satisfies Timers,
    /** Moves time forward, running due timers in order. */
    advance(ms: number) {
      const end = time + ms
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, t]) => t.at <= end)
          .sort((a, b) => a[1].at - b[1].at)[0]
        if (!due) break
        timers.delete(due[0])
        time = due[1].at
        due[1].run()
      }
      time = end
    },
    pending: () => timers.size,
  }
  return clock
}

/** A storage that records every access, to prove when nothing touched it. */
export function spyStorage() {
  const data = new Map<string, string>()
  const calls: string[] = []
  const storage: StorageLike = {
    getItem: (key) => {
      calls.push(`get ${key}`)
      return data.get(key) ?? null
    },
    setItem: (key, value) => {
      calls.push(`set ${key}`)
      data.set(key, value)
    },
    removeItem: (key) => {
      calls.push(`remove ${key}`)
      data.delete(key)
    },
  }
  return { storage, data, calls }
}

/** Lets pending promise callbacks and I/O run. */
export const settle = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms))

// Vitest runs from the repository root (vite.config.ts).
const dir = join(process.cwd(), 'packages/widget/snippet')
export const snippetSource = readFileSync(join(dir, 'snippet.js'), 'utf8')
export const snippetMin = readFileSync(join(dir, 'snippet.min.js'), 'utf8')
/** The code line of the minified snippet, as docs/host-api.md prints it. */
export const snippetCode = snippetMin.split('\n')[1] ?? ''

/**
 * Runs snippet code against the given window, document and location, as a page would; what it
 * touches of them is recorded.
 */
export function runSnippet(
  code: string,
  scope: Record<string, unknown>,
  page: { url: string; title: string; referrer: string },
) {
  const touched: string[] = []
  const spy = <T extends object>(name: string, target: T) =>
    new Proxy(target, {
      get(t, key, receiver) {
        touched.push(`${name}.${String(key)}`)
        return Reflect.get(t, key, receiver)
      },
      set(t, key, value, receiver) {
        touched.push(`${name}.${String(key)}=`)
        return Reflect.set(t, key, value, receiver)
      },
    })
  const document = spy('document', {
    get title() {
      return page.title
    },
    get referrer() {
      return page.referrer
    },
  })
  const location = spy('location', {
    get href() {
      return page.url
    },
  })
  // The snippet is a page script: it runs with the page's globals, here stand-ins.
  new Function('window', 'document', 'location', code)(spy('window', scope), document, location)
  return touched
}

/** WebSockets that the test opens and answers by hand; each records the frames it was sent. */
export function createFakeSockets() {
  const sockets: FakeSocket[] = []
  class FakeSocket {
    readyState = 0
    onopen: ((event: unknown) => void) | null = null
    onmessage: ((event: { data: unknown }) => void) | null = null
    onclose: ((event: { code: number }) => void) | null = null
    onerror: ((event: unknown) => void) | null = null
    readonly sent: Array<Record<string, unknown>> = []
    closed = false
    constructor(readonly url: string) {
      sockets.push(this)
    }
    send(data: string) {
      this.sent.push(JSON.parse(data) as Record<string, unknown>)
    }
    close() {
      this.closed = true
      this.readyState = 3
    }
    /** Opens the socket; the client answers with `hello`. */
    open() {
      this.readyState = 1
      this.onopen?.({})
    }
    /** Delivers a server frame. */
    receive(frame: Record<string, unknown>) {
      this.onmessage?.({ data: JSON.stringify(frame) })
    }
    /** The token the client authenticated with, from its `hello`. */
    auth(): unknown {
      return this.sent.find((frame) => frame.t === 'hello')?.auth
    }
  }
  return { WebSocket: FakeSocket, sockets }
}

/** Types a message into the widget's composer and submits it, as a visitor would. */
export async function sendFromPanel(text: string) {
  const root = document.querySelector('[data-causette]')?.shadowRoot
  const input = root?.querySelector<HTMLTextAreaElement>('#causette-input')
  const form = root?.querySelector('form.composer')
  if (!input || !form) throw new Error('the panel is not rendered: open the chat first')
  input.value = text
  input.dispatchEvent(new Event('input', { bubbles: true }))
  await settle()
  form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }))
  await settle(20)
}

/** A valid rule match (rules/explanation.ts), as the rules runner makes them. */
export function ruleMatch(ruleId = 'cart-help'): RuleMatch {
  return {
    rule_id: ruleId,
    rule_name: 'Cart over 100 EUR',
    trigger: { type: 'timer', after_s: 30 },
    matched_at: 1_700_000_000_000,
    explanation: {
      enabled: true,
      conditions: { kind: 'all', pass: true, reason: 'no conditions', children: [] },
    },
  }
}
