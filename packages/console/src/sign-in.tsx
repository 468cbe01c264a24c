import { useEffect, useId, useRef, useState } from 'preact/hooks'
import type { AgentSession, Api } from './api.js'
import { signInErrorMessage } from './error-messages.js'

export interface SignInProps {
  readonly api: Api
  readonly onSignedIn: (session: AgentSession) => void
  /** Why the agent is here: signed out, session ended. */
  readonly notice?: string | undefined
}

/** The sign-in form: email and password, errors in an alert. */
export function SignIn({ api, onSignedIn, notice }: SignInProps) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  const emailRef = useRef<HTMLInputElement>(null)
  const id = useId()

  useEffect(() => {
    emailRef.current?.focus()
  }, [])

  async function submit(event: Event) {
    event.preventDefault()
    if (busy) return
    setBusy(true)
    setError(undefined)
    const result = await api.signIn({ email: email.trim(), password })
    setBusy(false)
    if (result.ok) onSignedIn(result.value)
    else setError(signInErrorMessage(result.error))
  }

  return (
    <main class="sign-in">
      <form class="sign-in-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
        <p class="brand">Causette console</p>
        <h1 id={`${id}-title`}>Sign in</h1>
        {notice && <p class="notice">{notice}</p>}
        <div class="field">
          <label for={`${id}-email`}>Email</label>
          <input
            ref={emailRef}
            id={`${id}-email`}
            name="email"
            type="email"
            autocomplete="username"
            spellcheck={false}
            required
            value={email}
            onInput={(event) => setEmail(event.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for={`${id}-password`}>Password</label>
          <input
            id={`${id}-password`}
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
        </div>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button
          type="submit"
          class="button button--primary"
          aria-disabled={busy ? 'true' : undefined}
        >
          Sign in
        </button>
      </form>
    </main>
  )
}
