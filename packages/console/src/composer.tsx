import { chatLimits, type MessageInput } from '@causette/events'
import type { TargetedKeyboardEvent } from 'preact'
import { useId, useRef, useState } from 'preact/hooks'
import { checkReply } from './reply-input.js'

export interface ComposerProps {
  /** The text to start from: the draft left in this conversation. */
  readonly initialText: string
  readonly onTextChange: (text: string) => void
  readonly onSend: (input: MessageInput) => void
}

/** Characters written past which the counter shows. */
const counterFrom = Math.floor(chatLimits.messageTextMax * 0.9)

/** The reply box: Enter sends, Shift+Enter starts a new line; checked before it is sent. */
export function Composer({ initialText, onTextChange, onSend }: ComposerProps) {
  const [text, setText] = useState(initialText)
  const [error, setError] = useState<string | undefined>()
  const textareaRef = useRef<HTMLTextAreaElement>(null)
  const id = useId()
  const length = text.trim().length

  function change(next: string) {
    setText(next)
    onTextChange(next)
    if (error !== undefined) setError(undefined)
  }

  function submit(event?: Event) {
    event?.preventDefault()
    const checked = checkReply(text)
    if (!checked.ok) {
      setError(checked.message)
      textareaRef.current?.focus()
      return
    }
    onSend(checked.value)
    change('')
    textareaRef.current?.focus()
  }

  function keyDown(event: TargetedKeyboardEvent<HTMLTextAreaElement>) {
    // While an input method composes (Japanese, Chinese...), Enter confirms the composition.
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return
    event.preventDefault()
    submit()
  }

  const describedBy = [`${id}-hint`, length >= counterFrom && `${id}-count`, error && `${id}-error`]
    .filter(Boolean)
    .join(' ')

  return (
    <form class="composer" onSubmit={submit}>
      <label for={`${id}-reply`} class="composer-label">
        Reply
      </label>
      <textarea
        ref={textareaRef}
        id={`${id}-reply`}
        name="reply"
        rows={3}
        value={text}
        aria-describedby={describedBy}
        aria-invalid={error ? 'true' : undefined}
        onInput={(event) => change(event.currentTarget.value)}
        onKeyDown={keyDown}
      />
      <div class="composer-footer">
        <p id={`${id}-hint`} class="composer-hint">
          Enter to send, Shift+Enter for a new line.
        </p>
        {length >= counterFrom && (
          <p
            id={`${id}-count`}
            class={length > chatLimits.messageTextMax ? 'composer-count over' : 'composer-count'}
          >
            {length.toLocaleString('en')} / {chatLimits.messageTextMax.toLocaleString('en')}
          </p>
        )}
        <button type="submit" class="button button--primary">
          Send
        </button>
      </div>
      {error && (
        <p id={`${id}-error`} class="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  )
}
