import type { ConversationSummary } from '@causette/events'
import type { Transport } from '@causette/transport'
import { useEffect, useId, useMemo, useRef, useState } from 'preact/hooks'
import type { AgentSession, Api } from './api.js'
import type { ApiError } from './api-error.js'
import { ConnectionStatus } from './connection-status.js'
import { apiErrorMessage } from './error-messages.js'
import { Inbox } from './inbox.js'
import type { ReplyTracker } from './reply-tracker.js'
import { Thread } from './thread.js'
import { useInbox } from './use-inbox.js'
import { VisitorPanel } from './visitor-panel.js'

export interface WorkspaceProps {
  readonly api: Api
  readonly session: AgentSession
  readonly transport: Transport
  readonly replies: ReplyTracker
  /** Signs out; answers the error when the server refused. */
  readonly onSignOut: () => Promise<ApiError | undefined>
  /** The session ended on the server (expired, revoked). */
  readonly onExpired: () => void
}

const appTitle = 'Causette console'
/** How often times like "14:02" are re-rendered, so "today" stays right past midnight. */
const clockMs = 60_000

/**
 * The signed-in console: the inbox on the left, the selected conversation in the middle, and
 * who its visitor is on the right.
 */
export function Workspace({
  api,
  session,
  transport,
  replies,
  onSignOut,
  onExpired,
}: WorkspaceProps) {
  const inbox = useInbox(api, transport, onExpired)
  const [selected, setSelected] = useState<ConversationSummary | undefined>()
  const [signOutError, setSignOutError] = useState<string | undefined>()
  const [now, setNow] = useState(() => new Date())
  const drafts = useRef(new Map<string, string>())
  const headingRef = useRef<HTMLHeadingElement>(null)
  const id = useId()
  const { agent } = session
  const self = useMemo(() => ({ id: agent.id, name: agent.name }), [agent.id, agent.name])

  // The latest state of the selected conversation; it stays shown if it leaves the list.
  const current = selected && (inbox.conversations.find((c) => c.id === selected.id) ?? selected)
  const awaiting = inbox.conversations.filter((c) => c.lastMessage?.role === 'visitor').length

  useEffect(() => {
    headingRef.current?.focus()
  }, [])

  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), clockMs)
    return () => clearInterval(timer)
  }, [])

  useEffect(() => {
    document.title = awaiting > 0 ? `(${awaiting}) ${appTitle}` : appTitle
    return () => {
      document.title = appTitle
    }
  }, [awaiting])

  useEffect(() => {
    // The network or the tab came back: try now rather than at the end of the backoff.
    const probe = () => {
      if (document.visibilityState === 'visible') transport.probe()
    }
    window.addEventListener('online', probe)
    document.addEventListener('visibilitychange', probe)
    const offState = transport.subscribe((state) => {
      if (state.status === 'closed' && state.reason === 'unauthorized') onExpired()
    })
    return () => {
      window.removeEventListener('online', probe)
      document.removeEventListener('visibilitychange', probe)
      offState()
    }
  }, [transport, onExpired])

  async function signOut() {
    setSignOutError(undefined)
    const error = await onSignOut()
    if (error) setSignOutError(`Could not sign out. ${apiErrorMessage(error)}`)
  }

  return (
    <div class="workspace">
      <header class="topbar">
        <p class="brand">{appTitle}</p>
        <ConnectionStatus transport={transport} />
        <p class="agent-name">
          Signed in as <strong>{agent.name}</strong>
        </p>
        <button type="button" class="button" onClick={signOut}>
          Sign out
        </button>
        {signOutError && (
          <p class="form-error topbar-error" role="alert">
            {signOutError}
          </p>
        )}
      </header>
      <main class={current ? 'panes panes--visitor' : 'panes'}>
        <nav class="inbox" aria-labelledby={`${id}-inbox`}>
          <h1 id={`${id}-inbox`} ref={headingRef} tabindex={-1}>
            Conversations
          </h1>
          <Inbox
            conversations={inbox.conversations}
            load={inbox.load}
            selectedId={current?.id}
            onSelect={setSelected}
            onRetry={inbox.refresh}
            now={now}
          />
        </nav>
        {current ? (
          <>
            <Thread
              key={current.id}
              conversation={current}
              transport={transport}
              replies={replies}
              self={self}
              draft={drafts.current.get(current.id) ?? ''}
              onDraftChange={(text) => {
                if (text === '') drafts.current.delete(current.id)
                else drafts.current.set(current.id, text)
              }}
              now={now}
            />
            <VisitorPanel
              api={api}
              conversation={current}
              transport={transport}
              now={now}
              onExpired={onExpired}
            />
          </>
        ) : (
          <section class="thread thread--empty" aria-label="No conversation selected">
            <p>Select a conversation to read it and reply.</p>
          </section>
        )}
      </main>
    </div>
  )
}
