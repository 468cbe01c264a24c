import type { ComponentChildren } from 'preact'
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { Chat, ChatState } from './create-chat.js'

function useChatState(chat: Chat): ChatState {
  const [state, setState] = useState(chat.state())
  useEffect(() => chat.subscribe(setState), [chat])
  return state
}

function statusText(state: ChatState): string | undefined {
  switch (state.connection.status) {
    case 'waiting':
      return 'Reconnecting…'
    case 'closed':
      return state.connection.reason === 'unauthorized'
        ? 'Your session ended. Send a message to start again.'
        : undefined
    default:
      return undefined
  }
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })

function Message(props: {
  mine: boolean
  who: string
  pending?: boolean
  at?: string
  children: ComponentChildren
}) {
  const className = `msg ${props.mine ? 'mine' : 'theirs'}${props.pending ? ' pending' : ''}`
  return (
    <li class={className}>
      <span class="who">
        {props.who}
        {props.at ? ` · ${timeFormat.format(new Date(props.at))}` : ''}
        {props.pending ? ' · Sending…' : ''}
      </span>
      {props.children}
    </li>
  )
}

/** The chat panel: header, message log (announced to screen readers), composer. Text only. */
export function Panel(props: { chat: Chat; title: string; onClose: () => void }) {
  const { chat } = props
  const state = useChatState(chat)
  const [draft, setDraft] = useState('')
  const log = useRef<HTMLDivElement>(null)
  const input = useRef<HTMLTextAreaElement>(null)

  useLayoutEffect(() => {
    const el = log.current
    if (el) el.scrollTop = el.scrollHeight
  }, [state.messages.length, state.pending.length])

  useEffect(() => {
    input.current?.focus()
  }, [])

  // The host's prefill replaces the draft; the visitor still decides whether to send it.
  useEffect(() => {
    if (state.prefill) setDraft(state.prefill.text)
  }, [state.prefill])

  async function submit(event?: Event) {
    event?.preventDefault()
    // Cleared at once, so that a double Enter cannot send the same text twice.
    const text = draft
    setDraft('')
    if (!(await chat.send(text))) setDraft((current) => current || text)
  }

  const status = statusText(state)
  const empty = state.messages.length === 0 && state.pending.length === 0
  return (
    <>
      <div class="header">
        <h2 id="causette-title">{props.title}</h2>
        <button type="button" aria-label="Close chat" onClick={props.onClose}>
          ×
        </button>
      </div>
      <p class="status" role="status">
        {status ?? ''}
      </p>
      <div class="log" ref={log} role="log" aria-label="Messages" aria-live="polite">
        <ol class="items">
          {empty ? <li class="empty">Ask us anything. We usually answer within minutes.</li> : null}
          {state.messages.map((m) => (
            <Message
              key={m.id}
              mine={m.item.author.role === 'visitor'}
              who={m.item.author.role === 'visitor' ? 'You' : (m.item.author.name ?? 'Shop')}
              at={m.item.at}
            >
              {m.item.content.text}
            </Message>
          ))}
          {state.pending.map((p) => (
            <Message key={p.id} mine who="You" pending>
              {p.text}
            </Message>
          ))}
        </ol>
      </div>
      {state.error ? (
        <p class="error" role="alert">
          {state.error}
        </p>
      ) : null}
      <form class="composer" onSubmit={submit}>
        <label class="sr-only" for="causette-input">
          Message
        </label>
        <textarea
          id="causette-input"
          ref={input}
          rows={1}
          value={draft}
          placeholder="Write a message…"
          onInput={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) void submit(e)
          }}
        />
        <button type="submit">Send</button>
      </form>
    </>
  )
}
