import { ConversationSummary, decode, VisitorSession } from '@causette/events'
import * as z from 'zod/mini'

/** Errors of the widget's REST calls; `code` is the server's error code, or `network`. */
export class WidgetApiError extends Error {
  override readonly name = 'WidgetApiError'
  readonly code: string
  readonly status: number

  constructor(code: string, status: number, message: string) {
    super(message)
    this.code = code
    this.status = status
  }
}

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) })
const ConversationBody = z.object({ conversation: z.nullable(ConversationSummary) })

export interface VisitorApi {
  createVisitor(): Promise<VisitorSession>
  currentConversation(token: string): Promise<ConversationSummary | null>
  openConversation(token: string): Promise<ConversationSummary>
}

/** The widget's REST endpoints (`/api/v1/widget/*`), cross-origin with the token in a header. */
export function createVisitorApi(
  serverUrl: string,
  siteId: string,
  fetchImpl = globalThis.fetch,
): VisitorApi {
  const base = `${serverUrl.replace(/\/$/, '')}/api/v1/widget`

  async function call(path: string, init: { method: string; token?: string; body?: unknown }) {
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

  function conversationOf(json: unknown) {
    const body = decode(ConversationBody, json)
    if (!body.ok) throw new WidgetApiError('internal', 200, body.error)
    return body.value.conversation
  }

  return {
    async createVisitor() {
      const body = decode(
        VisitorSession,
        await call('/visitors', { method: 'POST', body: { siteId } }),
      )
      if (!body.ok) throw new WidgetApiError('internal', 201, body.error)
      return body.value
    },
    async currentConversation(token) {
      return conversationOf(await call('/conversation', { method: 'GET', token }))
    },
    async openConversation(token) {
      const conversation = conversationOf(await call('/conversations', { method: 'POST', token }))
      if (!conversation) throw new WidgetApiError('internal', 200, 'no conversation returned')
      return conversation
    },
  }
}
