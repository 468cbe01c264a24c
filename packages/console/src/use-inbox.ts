import { type ConversationSummary, decode, InboxSignal, inboxTopic } from '@causette/events'
import type { Transport } from '@causette/transport'
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import type { Api } from './api.js'
import type { ApiError } from './api-error.js'
import { fromSnapshot, upsertConversation } from './conversation-list.js'

/** How often the list is fetched again while the transport is on long-poll. */
export const pollRefreshMs = 15_000

export type InboxLoad =
  | { readonly status: 'loading' }
  | { readonly status: 'ready' }
  | { readonly status: 'failed'; readonly error: ApiError }

export interface Inbox {
  readonly conversations: readonly ConversationSummary[]
  readonly load: InboxLoad
  /** Refetches the list now (after a failure). */
  readonly refresh: () => void
}

/**
 * The open conversations: fetched over REST on start and on every reconnection (signals are
 * not replayed), and kept current in between by the inbox signals.
 */
export function useInbox(api: Api, transport: Transport, onUnauthorized: () => void): Inbox {
  const [conversations, setConversations] = useState<readonly ConversationSummary[]>([])
  const [load, setLoad] = useState<InboxLoad>({ status: 'loading' })
  const refreshRef = useRef<() => void>(() => {})
  const unauthorizedRef = useRef(onUnauthorized)
  unauthorizedRef.current = onUnauthorized

  useEffect(() => {
    let disposed = false
    let latest = 0
    // Changes signalled while a fetch is in flight, applied again on top of its snapshot.
    let signalledSince: ConversationSummary[] | undefined

    async function refresh() {
      const mine = ++latest
      signalledSince = []
      setLoad((current) => (current.status === 'ready' ? current : { status: 'loading' }))
      const result = await api.openConversations()
      if (disposed || mine !== latest) return
      const since = signalledSince
      signalledSince = undefined
      if (!result.ok) {
        if (result.error.code === 'unauthorized') unauthorizedRef.current()
        else setLoad({ status: 'failed', error: result.error })
        return
      }
      setConversations(fromSnapshot(result.value, since))
      setLoad({ status: 'ready' })
    }
    refreshRef.current = () => void refresh()

    const offSignal = transport.onSignal((topic, body) => {
      const decoded = decode(InboxSignal, body)
      if (!decoded.ok) return
      const signal = decoded.value
      switch (signal.type) {
        case 'conversation.updated': {
          const { conversation } = signal
          if (topic !== inboxTopic(conversation.siteId)) return
          signalledSince?.push(conversation)
          setConversations((list) => upsertConversation(list, conversation))
          return
        }
        case 'inbox.stale':
          if (topic === inboxTopic(signal.siteId)) void refresh()
          return
      }
    })

    // Long-poll is stateless: a signal sent between two polls reaches nobody. While on
    // long-poll, the list is fetched again now and then, so a missed change shows within
    // `pollRefreshMs`.
    let pollRefresh: ReturnType<typeof setInterval> | undefined
    function onState(state: ReturnType<Transport['state']>) {
      const onPoll = state.status === 'open' && state.via === 'poll'
      if (onPoll && !pollRefresh) pollRefresh = setInterval(() => void refresh(), pollRefreshMs)
      if (!onPoll && pollRefresh) {
        clearInterval(pollRefresh)
        pollRefresh = undefined
      }
    }

    let wasOpen = transport.state().status === 'open'
    onState(transport.state())
    const offState = transport.subscribe((state) => {
      const open = state.status === 'open'
      if (open && !wasOpen) void refresh()
      wasOpen = open
      onState(state)
    })

    void refresh()
    return () => {
      disposed = true
      offSignal()
      offState()
      if (pollRefresh) clearInterval(pollRefresh)
    }
  }, [api, transport])

  const refresh = useCallback(() => refreshRef.current(), [])
  return { conversations, load, refresh }
}
