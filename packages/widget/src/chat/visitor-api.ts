import {
  type ContextUpdate,
  ConversationSummary,
  decode,
  IdentifyResult,
  type RuleMatch,
  VisitorSession,
} from '@causette/events'
import * as z from 'zod/mini'
import { WidgetApiError } from '../widget-api-error.js'

// Re-exported: the error class lives in a file of its own so that the loader can test for it
// without loading the schemas of this one.
export { WidgetApiError }

/** The part of a conversation the widget needs: which one, and how far it went. */
export interface ConversationRef {
  readonly id: string
  /** Seq of the last item of the conversation stream; 0 when empty. */
  readonly lastSeq: number
}

/** What opening a conversation sends: the context kept so far and the rule that led to it. */
export interface OpenConversationBody {
  readonly context?: ContextUpdate
  readonly trigger?: RuleMatch
}

/** Agents online: in all, and by team when the server says. */
export interface AgentsOnline {
  readonly total: number
  readonly teams?: Readonly<Record<string, number>> | undefined
}

/** The calls made before any conversation: a visitor for this device, its identity, who can answer. */
export interface VisitorApi {
  createVisitor(): Promise<VisitorSession>
  identify(token: string, jwt: string): Promise<IdentifyResult>
  /** How many of the site's agents are online (`GET /sites/:siteId/availability`, no token). */
  agentsOnline(): Promise<AgentsOnline>
}

/** The calls made once the visitor chats (the chat chunk): its conversation and its context. */
export interface ConversationApi {
  currentConversation(token: string): Promise<ConversationRef | null>
  openConversation(token: string, body?: OpenConversationBody): Promise<ConversationRef>
  postContext(token: string, update: ContextUpdate): Promise<void>
}

/** One JSON call to `/api/v1/widget/*`; failures throw a WidgetApiError. */
export type ApiCall = (
  path: string,
  init: { readonly method: string; readonly token?: string; readonly body?: unknown },
) => Promise<unknown>

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) })
const ConversationBody = z.object({ conversation: z.nullable(ConversationSummary) })
const Count = z.int().check(z.gte(0))
const AvailabilityBody = z.object({
  agentsOnline: Count,
  teams: z.optional(z.record(z.string(), Count)),
})

/** The widget's REST endpoints (`/api/v1/widget/*`), cross-origin with the token in a header. */
export function createApiCall(
  serverUrl: string,
  fetchImpl: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, init),
): ApiCall {
  const base = `${serverUrl.replace(/\/$/, '')}/api/v1/widget`
  return async (path, init) => {
    const headers: Record<string, string> = {}
    if (init.token) headers.Authorization = `Bearer ${init.token}`
    if (init.body !== undefined) headers['Content-Type'] = 'application/json'
    let response: Response
    try {
      response = await fetchImpl(`${base}${path}`, {
        method: init.method,
        headers,
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        credentials: 'omit',
      })
    } catch (error) {
      throw new WidgetApiError(
        'network',
        0,
        error instanceof Error ? error.message : 'network error',
      )
    }
    const json: unknown = await response.json().catch(() => undefined)
    if (!response.ok) {
      const body = decode(ErrorBody, json)
      throw body.ok
        ? new WidgetApiError(body.value.error.code, response.status, body.value.error.message)
        : new WidgetApiError('internal', response.status, `HTTP ${response.status}`)
    }
    return json
  }
}

/** The answer decoded at the edge: a malformed one is an `internal` error, never a crash. */
function read<S extends z.ZodMiniType>(schema: S, json: unknown, path: string): z.output<S> {
  const body = decode(schema, json)
  if (!body.ok)
    throw new WidgetApiError('internal', 200, `unexpected answer to ${path}: ${body.error}`)
  return body.value
}

const ref = (summary: ConversationSummary): ConversationRef => ({
  id: summary.id,
  lastSeq: summary.lastSeq,
})

export function createVisitorApi(call: ApiCall, siteId: string): VisitorApi {
  return {
    createVisitor: async () =>
      read(
        VisitorSession,
        await call('/visitors', { method: 'POST', body: { siteId } }),
        '/visitors',
      ),
    identify: async (token, jwt) =>
      read(
        IdentifyResult,
        await call('/identify', { method: 'POST', token, body: { token: jwt } }),
        '/identify',
      ),
    agentsOnline: async () => {
      const path = `/sites/${encodeURIComponent(siteId)}/availability`
      const body = read(AvailabilityBody, await call(path, { method: 'GET' }), path)
      // Own entries only: a team named __proto__ is a key, never a prototype.
      const teams = body.teams && Object.fromEntries(Object.entries(body.teams))
      return { total: body.agentsOnline, ...(teams ? { teams } : {}) }
    },
  }
}

export function createConversationApi(call: ApiCall): ConversationApi {
  return {
    async currentConversation(token) {
      const json = await call('/conversation', { method: 'GET', token })
      const { conversation } = read(ConversationBody, json, '/conversation')
      return conversation && ref(conversation)
    },
    async openConversation(token, body) {
      const json = await call('/conversations', { method: 'POST', token, body: body ?? {} })
      const { conversation } = read(ConversationBody, json, '/conversations')
      if (!conversation) throw new WidgetApiError('internal', 200, 'no conversation returned')
      return ref(conversation)
    },
    async postContext(token, update) {
      await call('/context', { method: 'POST', token, body: update })
    },
  }
}
