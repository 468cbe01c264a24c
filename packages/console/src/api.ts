import { ContextView, ConversationSummary, decode, RuleMatch } from '@causette/events'
import { ApiError, type ApiErrorCode, isApiErrorCode } from './api-error.js'

/** The signed-in agent, as the server shows it. */
export interface Agent {
  readonly id: string
  readonly email: string
  readonly name: string
  readonly role: string
}

/** What sign-in and the session check answer. */
export interface AgentSession {
  readonly agent: Agent
  /** Sent back in `X-Causette-CSRF` on every state-changing call. */
  readonly csrfToken: string
}

/** How a conversation started, as far as this console can tell. */
export type ConversationOrigin =
  | { readonly kind: 'visitor' }
  | { readonly kind: 'rule'; readonly match: RuleMatch }
  /** The server named a rule in a shape this console does not know (a newer server, a bug). */
  | { readonly kind: 'unrecognised'; readonly error: string }

/** What agents know of a conversation's visitor: `ContextView`, with the rule decoded on its own. */
export type VisitorContext = Omit<ContextView, 'trigger'> & { readonly trigger: ConversationOrigin }

/** A conversation with the context agents work from. */
export interface ConversationDetail {
  readonly conversation: ConversationSummary
  readonly context: VisitorContext
}

export type ApiResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ApiError }

export interface ApiOptions {
  /** Origin (and path prefix) in front of `/api/v1`. @default '' (same origin) */
  readonly baseUrl?: string
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch
}

/** The REST calls of the console. Every call answers with a result; none rejects. */
export interface Api {
  /** The current session, or `undefined` when not signed in. */
  session(): Promise<ApiResult<AgentSession | undefined>>
  signIn(credentials: { email: string; password: string }): Promise<ApiResult<AgentSession>>
  signOut(csrfToken: string): Promise<ApiResult<void>>
  /** Open conversations, most recently updated first. */
  openConversations(): Promise<ApiResult<readonly ConversationSummary[]>>
  /** One conversation with its visitor's context and the rule that started it. */
  conversationDetail(id: string): Promise<ApiResult<ConversationDetail>>
}

export const apiDefaults = {
  baseUrl: '',
  csrfHeader: 'X-Causette-CSRF',
} as const

/**
 * Creates the console's REST client.
 *
 * @example
 * const api = createApi()
 * const result = await api.signIn({ email, password })
 * if (!result.ok) show(result.error.code)
 */
export function createApi(options: ApiOptions = {}): Api {
  const baseUrl = options.baseUrl ?? apiDefaults.baseUrl
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))

  async function request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    extra: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiResult<unknown>> {
    const headers: Record<string, string> = { accept: 'application/json', ...extra.headers }
    const init: RequestInit = { method, headers, credentials: 'same-origin' }
    if (extra.body !== undefined) {
      headers['content-type'] = 'application/json'
      init.body = JSON.stringify(extra.body)
    }
    let response: Response
    try {
      response = await fetchImpl(`${baseUrl}/api/v1${path}`, init)
    } catch (cause) {
      return failure(new ApiError('network', 'could not reach the server', { cause }))
    }
    const body = response.status === 204 ? undefined : await readJson(response)
    if (response.ok) return { ok: true, value: body }
    return failure(errorFrom(response, body))
  }

  return {
    async session() {
      const result = await request('GET', '/agent/session')
      if (!result.ok) return result.error.code === 'unauthorized' ? success(undefined) : result
      return parseSession(result.value)
    },
    async signIn({ email, password }) {
      const result = await request('POST', '/agent/session', { body: { email, password } })
      return result.ok ? parseSession(result.value) : result
    },
    async signOut(csrfToken) {
      const result = await request('DELETE', '/agent/session', {
        headers: { [apiDefaults.csrfHeader]: csrfToken },
      })
      return result.ok ? success(undefined) : result
    },
    async openConversations() {
      const result = await request('GET', '/conversations?status=open')
      if (!result.ok) return result
      const list = isRecord(result.value) ? result.value.conversations : undefined
      if (!Array.isArray(list)) return failure(badResponse('conversations is not a list'))
      const conversations: ConversationSummary[] = []
      // One malformed row must not hide the whole inbox: keep the rows that decode.
      for (const row of list) {
        const decoded = decode(ConversationSummary, row)
        if (decoded.ok) conversations.push(decoded.value)
      }
      return success(conversations)
    },
    async conversationDetail(id) {
      const result = await request('GET', `/conversations/${encodeURIComponent(id)}`)
      return result.ok ? parseDetail(id, result.value) : result
    },
  }
}

const statusCodes: ReadonlyMap<number, ApiErrorCode> = new Map([
  [400, 'bad_request'],
  [401, 'unauthorized'],
  [403, 'forbidden'],
  [404, 'not_found'],
  [413, 'payload_too_large'],
  [429, 'rate_limited'],
])

function errorFrom(response: Response, body: unknown): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : {}
  const code: ApiErrorCode = isApiErrorCode(error.code)
    ? error.code
    : (statusCodes.get(response.status) ?? (response.status >= 500 ? 'internal' : 'bad_response'))
  const message =
    typeof error.message === 'string' ? error.message : `HTTP ${response.status} ${code}`
  return new ApiError(code, message, {
    status: response.status,
    retryAfterS: parseRetryAfter(response.headers.get('retry-after')),
  })
}

/** `Retry-After` in seconds; the HTTP-date form is not used by the Causette server. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined
  const seconds = Number(value)
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : undefined
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json()
  } catch {
    return undefined
  }
}

function parseSession(value: unknown): ApiResult<AgentSession> {
  if (!isRecord(value) || typeof value.csrfToken !== 'string' || !isRecord(value.agent)) {
    return failure(badResponse('malformed session'))
  }
  const { id, email, name, role } = value.agent
  if (
    typeof id !== 'string' ||
    typeof email !== 'string' ||
    typeof name !== 'string' ||
    typeof role !== 'string'
  ) {
    return failure(badResponse('malformed agent'))
  }
  return success({ agent: { id, email, name, role }, csrfToken: value.csrfToken })
}

function parseDetail(id: string, value: unknown): ApiResult<ConversationDetail> {
  if (!isRecord(value) || !isRecord(value.context)) {
    return failure(badResponse('malformed conversation detail'))
  }
  const conversation = decode(ConversationSummary, value.conversation)
  if (!conversation.ok) return failure(badResponse(`conversation: ${conversation.error}`))
  if (conversation.value.id !== id) return failure(badResponse('another conversation came back'))
  // The rule is decoded on its own: a rule this console cannot read is shown as unrecognised
  // rather than hiding the cart, the page and every fact along with it.
  const { trigger, ...rest } = value.context
  const context = decode(ContextView, { ...rest, trigger: null })
  if (!context.ok) return failure(badResponse(`context: ${context.error}`))
  return success({
    conversation: conversation.value,
    context: { ...context.value, trigger: originOf(trigger) },
  })
}

function originOf(trigger: unknown): ConversationOrigin {
  if (trigger === null) return { kind: 'visitor' }
  const match = decode(RuleMatch, trigger)
  return match.ok
    ? { kind: 'rule', match: match.value }
    : { kind: 'unrecognised', error: match.error }
}

function badResponse(message: string): ApiError {
  return new ApiError('bad_response', message)
}

function success<T>(value: T): ApiResult<T> {
  return { ok: true, value }
}

function failure(error: ApiError): { readonly ok: false; readonly error: ApiError } {
  return { ok: false, error }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
