import type { Transport } from '@causette/transport'
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import type { AgentSession, Api } from './api.js'
import { apiErrorMessage } from './error-messages.js'
import { createReplyTracker, type ReplyTracker } from './reply-tracker.js'
import { SignIn } from './sign-in.js'
import { Workspace } from './workspace.js'

export interface AppProps {
  readonly api: Api
  /** Opens the live connection for a signed-in agent (the session cookie authenticates it). */
  readonly openTransport: (session: AgentSession) => Transport
}

type AppState =
  | { readonly status: 'checking' }
  | { readonly status: 'signed-out'; readonly notice: string | undefined }
  | {
      readonly status: 'signed-in'
      readonly session: AgentSession
      readonly transport: Transport
      readonly replies: ReplyTracker
    }

/** The console: checks the session, then shows sign-in or the workspace. */
export function App({ api, openTransport }: AppProps) {
  const [state, setState] = useState<AppState>({ status: 'checking' })
  const stateRef = useRef(state)
  stateRef.current = state

  const signedIn = useCallback(
    (session: AgentSession) => {
      const transport = openTransport(session)
      setState({ status: 'signed-in', session, transport, replies: createReplyTracker(transport) })
    },
    [openTransport],
  )

  const signedOut = useCallback((notice: string | undefined) => {
    const current = stateRef.current
    if (current.status === 'signed-in') {
      current.replies.dispose()
      current.transport.close()
    }
    setState({ status: 'signed-out', notice })
  }, [])

  useEffect(() => {
    let cancelled = false
    void api.session().then((result) => {
      if (cancelled) return
      if (!result.ok) signedOut(apiErrorMessage(result.error))
      else if (result.value) signedIn(result.value)
      else signedOut(undefined)
    })
    return () => {
      cancelled = true
    }
  }, [api, signedIn, signedOut])

  // Whatever way the app goes away, the connection goes with it.
  useEffect(
    () => () => {
      const current = stateRef.current
      if (current.status !== 'signed-in') return
      current.replies.dispose()
      current.transport.close()
    },
    [],
  )

  const expired = useCallback(
    () => signedOut('Your session has ended. Sign in again.'),
    [signedOut],
  )

  const signOut = useCallback(async () => {
    const current = stateRef.current
    if (current.status !== 'signed-in') return undefined
    const result = await api.signOut(current.session.csrfToken)
    // Unauthorized: the session was already gone, which is what signing out wants.
    if (!result.ok && result.error.code !== 'unauthorized') return result.error
    signedOut('You are signed out.')
    return undefined
  }, [api, signedOut])

  switch (state.status) {
    case 'checking':
      return (
        <main class="splash">
          <p>Loading the console…</p>
        </main>
      )
    case 'signed-out':
      return <SignIn api={api} onSignedIn={signedIn} notice={state.notice} />
    case 'signed-in':
      return (
        <Workspace
          key={state.session.agent.id}
          api={api}
          session={state.session}
          transport={state.transport}
          replies={state.replies}
          onSignOut={signOut}
          onExpired={expired}
        />
      )
    default:
      return assertNever(state)
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown app state: ${JSON.stringify(value)}`)
}
