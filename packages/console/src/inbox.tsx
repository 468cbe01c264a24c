import type { ConversationSummary } from '@causette/events'
import type { TargetedKeyboardEvent } from 'preact'
import { useId } from 'preact/hooks'
import { apiErrorMessage } from './error-messages.js'
import { formatFullTime, formatTime } from './format-time.js'
import { previewText, visitorLabel } from './labels.js'
import type { InboxLoad } from './use-inbox.js'

export interface InboxProps {
  readonly conversations: readonly ConversationSummary[]
  readonly load: InboxLoad
  readonly selectedId: string | undefined
  readonly onSelect: (conversation: ConversationSummary) => void
  readonly onRetry: () => void
  readonly now: Date
}

/** The list of open conversations, most recent first; arrow keys move between them. */
export function Inbox({ conversations, load, selectedId, onSelect, onRetry, now }: InboxProps) {
  const id = useId()

  if (load.status === 'failed' && conversations.length === 0) {
    return (
      <div class="inbox-state">
        <p>Conversations could not be loaded. {apiErrorMessage(load.error)}</p>
        <button type="button" class="button" onClick={onRetry}>
          Try again
        </button>
      </div>
    )
  }
  if (load.status === 'loading' && conversations.length === 0) {
    return <p class="inbox-state">Loading conversations…</p>
  }
  if (conversations.length === 0) {
    return <p class="inbox-state">No open conversations. New ones appear here as visitors write.</p>
  }

  return (
    <ul class="conversations" aria-label="Conversations" onKeyDown={moveFocus}>
      {conversations.map((conversation) => {
        const metaId = `${id}-${conversation.id}`
        const awaiting = conversation.lastMessage?.role === 'visitor'
        const at = conversation.lastMessage?.at ?? conversation.updatedAt
        return (
          <li key={conversation.id}>
            <button
              type="button"
              class="conversation"
              aria-current={conversation.id === selectedId ? 'true' : undefined}
              aria-describedby={metaId}
              onClick={() => onSelect(conversation)}
            >
              <span class="conversation-who">{visitorLabel(conversation.visitorId)}</span>{' '}
              <span class="conversation-preview">{previewText(conversation)}</span>
              <span class="conversation-meta" id={metaId} aria-hidden="true">
                <time datetime={at} title={formatFullTime(at)}>
                  {formatTime(at, now)}
                </time>
                {awaiting && <span class="badge">Awaiting reply</span>}
              </span>
            </button>
          </li>
        )
      })}
    </ul>
  )
}

/** Up/Down/Home/End between the conversation buttons, as in a listbox. */
function moveFocus(event: TargetedKeyboardEvent<HTMLUListElement>) {
  const keys = ['ArrowDown', 'ArrowUp', 'Home', 'End']
  if (!keys.includes(event.key) || event.altKey || event.ctrlKey || event.metaKey) return
  const buttons = Array.from(event.currentTarget.querySelectorAll<HTMLButtonElement>('button'))
  const current = buttons.indexOf(document.activeElement as HTMLButtonElement)
  if (current === -1) return
  const last = buttons.length - 1
  const next =
    event.key === 'Home'
      ? 0
      : event.key === 'End'
        ? last
        : event.key === 'ArrowDown'
          ? Math.min(current + 1, last)
          : Math.max(current - 1, 0)
  event.preventDefault()
  buttons[next]?.focus()
}
