// Helpers shared by the console's component tests; not part of the console's build.
import type { ConversationSummary } from '@causette/events'
import { act } from 'preact/test-utils'
import { type AgentSession, type Api, type ApiResult, createApi } from './api.js'
import { ApiError } from './api-error.js'

export const session: AgentSession = {
  agent: { id: 'ag1', email: 'alex@shop.test', name: 'Alex', role: 'admin' },
  csrfToken: 'csrf-1',
}

/** An open conversation whose last message, from the visitor, came at 10:`minute`. */
export function conversation(
  id: string,
  minute: number,
  lastSeq: number,
  text: string,
): ConversationSummary {
  const at = `2025-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`
  return {
    id,
    siteId: 'demo',
    visitorId: `${id}-visitor-0123456789`,
    status: 'open',
    createdAt: '2025-03-01T09:00:00.000Z',
    updatedAt: at,
    lastSeq,
    lastMessage: { role: 'visitor', text, at },
  }
}

/** An HTTP answer: a status and a JSON body. */
export interface RawAnswer {
  readonly status: number
  readonly body: unknown
}

/**
 * An `Api` whose answers the test sets, recording the calls. `conversationDetail` is the real
 * client reading `answers.details` as raw JSON, so the tests go through its decoding: per
 * conversation, answers are used in order and the last one is kept for later calls.
 */
export function fakeApi() {
  const calls: string[] = []
  const answers = {
    session: { ok: true, value: undefined } as ApiResult<AgentSession | undefined>,
    signIn: [] as ApiResult<AgentSession>[],
    conversations: [] as ApiResult<readonly ConversationSummary[]>[],
    details: new Map<string, RawAnswer[]>(),
  }
  const http = createApi({
    fetch: async (input) => {
      const id = decodeURIComponent(String(input).split('/').at(-1) ?? '')
      const queue = answers.details.get(id) ?? []
      const next = queue.length > 1 ? queue.shift() : queue[0]
      const { status, body } = next ?? {
        status: 404,
        body: { error: { code: 'not_found', message: 'no such conversation' } },
      }
      return new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      })
    },
  })
  const api: Api = {
    session: async () => {
      calls.push('session')
      return answers.session
    },
    signIn: async ({ email }) => {
      calls.push(`signIn ${email}`)
      return answers.signIn.shift() ?? { ok: false, error: new ApiError('internal', 'no answer') }
    },
    signOut: async (csrf) => {
      calls.push(`signOut ${csrf}`)
      return { ok: true, value: undefined }
    },
    openConversations: async () => {
      calls.push('conversations')
      return answers.conversations.shift() ?? { ok: true, value: [] }
    },
    conversationDetail: (id) => {
      calls.push(`detail ${id}`)
      return http.conversationDetail(id)
    },
  }
  return { api, calls, answers }
}

const inline = new Set(['A', 'B', 'EM', 'SPAN', 'STRONG', 'TIME'])

/**
 * Text as assistive technology gets it: without `aria-hidden` subtrees, block elements set
 * apart by a space, spaces collapsed.
 */
export function accessibleText(element: Element): string {
  const parts: string[] = []
  const walk = (node: Node) => {
    if (node instanceof Element && node.getAttribute('aria-hidden') === 'true') return
    if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent ?? '')
    const block = node instanceof Element && !inline.has(node.tagName)
    if (block) parts.push(' ')
    for (const child of node.childNodes) walk(child)
    if (block) parts.push(' ')
  }
  walk(element)
  return parts.join('').replace(/\s+/g, ' ').trim()
}

/**
 * Lets a chain of pending promises settle: a fake answer, the render it causes, the effects of
 * that render and their own answers. Each `act` flushes renders and effects when it ends.
 */
export async function settle() {
  for (let turn = 0; turn < 3; turn++) {
    await act(() => new Promise<void>((resolve) => setTimeout(resolve, 0)))
  }
}
