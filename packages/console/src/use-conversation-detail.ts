import type { ConversationSummary } from '@causette/events'
import type { Transport } from '@causette/transport'
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import type { Api, ConversationDetail } from './api.js'
import type { ApiError } from './api-error.js'
import { createRefetchGate, type GateClock, type RefetchGate } from './refetch-gate.js'

export const conversationDetailDefaults = {
  /** Least time between two fetches of one conversation's details. */
  minRefetchMs: 1000,
} as const

export type DetailState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly detail: ConversationDetail }
  /** `stale`: what the last successful fetch said, still worth showing. */
  | {
      readonly status: 'failed'
      readonly error: ApiError
      readonly stale: ConversationDetail | undefined
    }

export interface ConversationDetailOptions {
  readonly onUnauthorized: () => void
  /** When each conversation was last fetched; shared across selections so that coming back to a
   * conversation respects `minRefetchMs` too. */
  readonly fetchedAt: Map<string, number>
  /** @default conversationDetailDefaults.minRefetchMs */
  readonly minRefetchMs?: number | undefined
  /** @default the global clock and timers */
  readonly clock?: GateClock | undefined
}

export interface ConversationDetailLoad {
  readonly state: DetailState
  /** A fetch is in flight. */
  readonly busy: boolean
  /** Fetches again (after a failure). */
  readonly retry: () => void
}

/**
 * The details of one conversation: fetched when shown, again when its summary changes (a new
 * message, a new state) and when the connection comes back, at most once per `minRefetchMs`.
 * Render its component with `key={conversation.id}`.
 */
export function useConversationDetail(
  api: Api,
  conversation: ConversationSummary,
  transport: Transport,
  options: ConversationDetailOptions,
): ConversationDetailLoad {
  const { fetchedAt, clock } = options
  const minRefetchMs = options.minRefetchMs ?? conversationDetailDefaults.minRefetchMs
  const [state, setState] = useState<DetailState>({ status: 'loading' })
  const [busy, setBusy] = useState(false)
  const [gate, setGate] = useState<RefetchGate | undefined>()
  const unauthorizedRef = useRef(options.onUnauthorized)
  unauthorizedRef.current = options.onUnauthorized
  const { id } = conversation

  useEffect(() => {
    let disposed = false
    const created = createRefetchGate({
      minIntervalMs: minRefetchMs,
      lastStartedAt: fetchedAt.get(id),
      onStart: (at) => fetchedAt.set(id, at),
      clock,
      async run() {
        setBusy(true)
        const result = await api.conversationDetail(id)
        if (disposed) return
        setBusy(false)
        if (result.ok) setState({ status: 'ready', detail: result.value })
        else if (result.error.code === 'unauthorized') unauthorizedRef.current()
        else
          setState((current) => ({ status: 'failed', error: result.error, stale: known(current) }))
      },
    })
    setGate(created)

    // Changes made while the connection was down reached nobody: read the details again.
    let wasOpen = transport.state().status === 'open'
    const offState = transport.subscribe((next) => {
      const open = next.status === 'open'
      if (open && !wasOpen) created.request()
      wasOpen = open
    })
    return () => {
      disposed = true
      offState()
      created.dispose()
    }
  }, [api, transport, id, fetchedAt, minRefetchMs, clock])

  // The first run when the gate is made, then one whenever the inbox says the conversation moved.
  useEffect(() => {
    gate?.request()
  }, [gate, conversation.updatedAt, conversation.lastSeq])

  const retry = useCallback(() => gate?.request(), [gate])
  return { state, busy, retry }
}

function known(state: DetailState): ConversationDetail | undefined {
  switch (state.status) {
    case 'ready':
      return state.detail
    case 'failed':
      return state.stale
    case 'loading':
      return undefined
  }
}
