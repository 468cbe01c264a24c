import { type ConversationSummary, conversationStream, type MessageInput } from '@causette/events'
import type { StreamItem, Transport } from '@causette/transport'
import {
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'preact/hooks'
import { Composer } from './composer.js'
import { sendErrorMessage } from './error-messages.js'
import { formatFullTime, formatTime } from './format-time.js'
import { authorLabel, visitorLabel } from './labels.js'
import { MessageText } from './message-text.js'
import type { ReplyTracker } from './reply-tracker.js'
import { appendItems, type ThreadEntry, threadEntries } from './thread-entries.js'
import { useExternal } from './use-external.js'

export interface ThreadProps {
  readonly conversation: ConversationSummary
  readonly transport: Transport
  readonly replies: ReplyTracker
  readonly self: { readonly id: string; readonly name: string }
  readonly draft: string
  readonly onDraftChange: (text: string) => void
  readonly now: Date
}

/** Distance from the bottom, in pixels, within which the log follows new messages. */
const stickThreshold = 48

/**
 * One conversation: its messages, followed live from the start of its stream, and the reply
 * box. Render it with `key={conversation.id}` so each conversation starts afresh.
 */
export function Thread({
  conversation,
  transport,
  replies,
  self,
  draft,
  onDraftChange,
  now,
}: ThreadProps) {
  const stream = conversationStream(conversation.id)
  const [items, setItems] = useState<readonly StreamItem[]>([])
  const [received, setReceived] = useState(false)
  const logRef = useRef<HTMLDivElement>(null)
  const stick = useRef(true)
  const id = useId()

  useEffect(() => {
    const off = transport.onItems((from, incoming) => {
      if (from !== stream) return
      setItems((held) => appendItems(held, incoming))
      setReceived(true)
    })
    transport.follow(stream, 0)
    return () => {
      off()
      transport.unfollow(stream)
    }
  }, [transport, stream])

  const readReplies = useCallback(() => replies.replies(stream), [replies, stream])
  const mine = useExternal(replies.subscribe, readReplies)
  const entries = useMemo(() => threadEntries(items, mine, self), [items, mine, self])

  useLayoutEffect(() => {
    const log = logRef.current
    if (log && stick.current && entries.length > 0) log.scrollTop = log.scrollHeight
  }, [entries])

  function scrolled() {
    const log = logRef.current
    if (log) stick.current = log.scrollHeight - log.scrollTop - log.clientHeight < stickThreshold
  }

  function send(input: MessageInput) {
    stick.current = true
    replies.send(stream, input)
  }

  const waiting = !received && conversation.lastSeq > 0 && entries.length === 0

  return (
    <section class="thread" aria-labelledby={`${id}-title`}>
      <header class="thread-header">
        <h2 id={`${id}-title`}>{visitorLabel(conversation.visitorId)}</h2>
        <p class="thread-meta">
          Started{' '}
          <time datetime={conversation.createdAt} title={formatFullTime(conversation.createdAt)}>
            {formatTime(conversation.createdAt, now)}
          </time>
        </p>
      </header>
      {/* A scrollable region is focusable so keyboard users can scroll it. */}
      <div
        ref={logRef}
        class="log"
        role="log"
        aria-label="Messages"
        tabindex={0}
        onScroll={scrolled}
      >
        {waiting && <p class="log-state">Loading messages…</p>}
        {!waiting && entries.length === 0 && <p class="log-state">No messages yet.</p>}
        {entries.length > 0 && (
          <ol class="messages">
            {entries.map((entry) => (
              <Entry key={entry.id} entry={entry} selfId={self.id} replies={replies} now={now} />
            ))}
          </ol>
        )}
      </div>
      <Composer initialText={draft} onTextChange={onDraftChange} onSend={send} />
    </section>
  )
}

function Entry({
  entry,
  selfId,
  replies,
  now,
}: {
  entry: ThreadEntry
  selfId: string
  replies: ReplyTracker
  now: Date
}) {
  if (entry.kind === 'unreadable') {
    return (
      <li class="message message--unreadable">
        <p class="message-text">This item cannot be shown (#{entry.seq}).</p>
      </li>
    )
  }
  const role = entry.author.role
  return (
    <li class={`message message--${role}${entry.author.id === selfId ? ' message--self' : ''}`}>
      <p class="message-meta">
        <span class="message-author">{authorLabel(entry.author, selfId)}</span>{' '}
        <time datetime={entry.at} title={formatFullTime(entry.at)}>
          {formatTime(entry.at, now)}
        </time>
      </p>
      <MessageText text={entry.text} />
      {entry.kind === 'message' && entry.delivery === 'sending' && (
        <p class="message-state">Sending…</p>
      )}
      {entry.kind === 'failed' && (
        <div class="message-failure">
          <p class="message-state message-state--failed">
            Not sent. {sendErrorMessage(entry.error)}
          </p>
          <div class="message-actions">
            {entry.error.retryable && (
              <button
                type="button"
                class="button button--small"
                onClick={() => replies.retry(entry.id)}
              >
                Retry
              </button>
            )}
            <button
              type="button"
              class="button button--small"
              onClick={() => replies.discard(entry.id)}
            >
              Discard
            </button>
          </div>
        </div>
      )}
    </li>
  )
}
