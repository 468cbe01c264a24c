import type { StorageLike } from '@causette/transport'
import { render } from 'preact'
import { config } from 'zod/mini'
import { createChat } from './create-chat.js'
import { Panel } from './panel.js'
import { createVisitorApi } from './visitor-api.js'

export interface ChatHandle {
  setOpen(open: boolean): void
  destroy(): void
}

/**
 * The lazily loaded half of the widget: starts the visitor's chat and renders the panel into
 * `slot`. The loader calls it on first open, or at once for a visitor with a conversation.
 */
export function startChat(options: {
  readonly serverUrl: string
  readonly siteId: string
  readonly storage: StorageLike | null
  readonly title: string
  readonly slot: HTMLElement
  readonly onUnread: (count: number) => void
  readonly onRequestClose: () => void
}): ChatHandle {
  // Validation must not try `new Function`: shops run strict CSPs without 'unsafe-eval'.
  config({ jitless: true })
  const chat = createChat({
    serverUrl: options.serverUrl,
    siteId: options.siteId,
    storage: options.storage,
    api: createVisitorApi(options.serverUrl, options.siteId),
  })
  let unread = 0
  const unsubscribe = chat.subscribe((state) => {
    if (state.unread === unread) return
    unread = state.unread
    options.onUnread(unread)
  })
  let rendered = false
  void chat.resume()
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
    destroy() {
      unsubscribe()
      chat.destroy()
      render(null, options.slot)
    },
  }
}
