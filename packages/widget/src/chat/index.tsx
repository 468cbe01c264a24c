import type { RuleMatch } from '@causette/events'
import type { StorageLike, Timers, WebSocketConstructor } from '@causette/transport'
import { render } from 'preact'
import type { ContextStore } from '../create-context-store.js'
import type { Session } from '../create-session.js'
import { type ChatEvent, createChat } from './create-chat.js'
import { createConversation } from './create-conversation.js'
import { Panel } from './panel.js'
import { panelCss } from './panel-styles.js'
import { type ApiCall, createConversationApi } from './visitor-api.js'

export interface ChatHandle {
  setOpen(open: boolean): void
  prefill(text: string): void
  /** The context changed: send it to the open conversation. */
  contextChanged(): void
  /** Asks the server for the visitor's open conversation (identify switched the visitor). */
  resume(): void
  destroy(): void
}

/**
 * The chat chunk: the visitor's conversation (start, resume, context updates), the transport
 * and the panel, rendered into `slot`. The personalisation chunk loads it on first open, at
 * once for a visitor with a conversation (so that replies are heard with the panel closed),
 * and when identify switches the device to a visitor who may have one. It uses the zod of the
 * personalisation chunk, configured there.
 */
export function startChat(options: {
  readonly serverUrl: string
  readonly call: ApiCall
  readonly session: Session
  readonly context: ContextStore
  readonly storage: StorageLike | null
  readonly keys: { readonly outbox: string; readonly read: string }
  readonly timers: Timers
  readonly contextDelayMs: number
  readonly title: string
  readonly root: ShadowRoot
  readonly slot: HTMLElement
  readonly prefill: string | undefined
  readonly trigger: () => RuleMatch | undefined
  readonly onStarted: (conversationId: string, trigger: RuleMatch | undefined) => void
  readonly onUnread: (count: number) => void
  readonly onRequestClose: () => void
  readonly onEvent: (event: ChatEvent) => void
  readonly onError: (error: unknown) => void
  readonly WebSocket?: WebSocketConstructor | undefined
}): ChatHandle {
  const { root, session } = options
  if ('adoptedStyleSheets' in root) {
    const sheet = new CSSStyleSheet()
    sheet.replaceSync(panelCss)
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet]
  }
  const conversation = createConversation({
    api: createConversationApi(options.call),
    session,
    context: options.context,
    timers: options.timers,
    delayMs: options.contextDelayMs,
    trigger: options.trigger,
    onStarted: options.onStarted,
    onError: options.onError,
  })
  const chat = createChat({
    serverUrl: options.serverUrl,
    session: { start: conversation.start, forget: () => session.forget() },
    storage: options.storage,
    keys: options.keys,
    onEvent: options.onEvent,
    ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
  })
  let unread = 0
  const stopUnread = chat.subscribe((state) => {
    if (state.unread === unread) return
    unread = state.unread
    options.onUnread(unread)
  })
  // A new token gets a new transport (identify switching visitor, reset, the server forgetting).
  const stopSession = session.subscribe(() => {
    chat.follow(session.open())
    conversation.changed()
  })
  if (options.prefill !== undefined) chat.prefill(options.prefill)
  chat.follow(session.open())
  conversation.resume().catch(options.onError)
  let rendered = false
  return {
    setOpen(open) {
      chat.setOpen(open)
      if (open && !rendered) {
        rendered = true
        render(
          <Panel chat={chat} title={options.title} onClose={options.onRequestClose} />,
          options.slot,
        )
      }
    },
    prefill: chat.prefill,
    contextChanged: conversation.changed,
    resume: () => void conversation.resume().catch(options.onError),
    destroy() {
      stopUnread()
      stopSession()
      conversation.stop()
      chat.destroy()
      render(null, options.slot)
    },
  }
}
