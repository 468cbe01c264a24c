import type { ProactiveMessage } from '@causette/events'

export interface ProactiveBubble {
  show(message: ProactiveMessage): void
  hide(): void
  shown(): boolean
}

/**
 * The proactive message bubble above the launcher: text nodes only, a button that opens the
 * chat, a button and the Escape key that dismiss it. Its size is capped by the stylesheet
 * (`.proactive`) so that it never covers more than a corner of a phone screen.
 */
export function createProactiveBubble(
  root: ShadowRoot,
  before: Element,
  handlers: {
    readonly onOpen: () => void
    readonly onDismiss: (via: 'button' | 'escape') => void
  },
): ProactiveBubble {
  const doc = root.ownerDocument
  let bubble: HTMLElement | undefined

  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && bubble) dismiss('escape')
  }

  function hide() {
    bubble?.remove()
    bubble = undefined
    doc.removeEventListener('keydown', onKey)
  }

  function dismiss(via: 'button' | 'escape') {
    hide()
    handlers.onDismiss(via)
  }

  return {
    show(message) {
      hide()
      bubble = doc.createElement('div')
      bubble.className = 'proactive'
      bubble.setAttribute('role', 'status')
      const open = doc.createElement('button')
      open.type = 'button'
      open.className = 'proactive-open'
      if (message.author) {
        const who = doc.createElement('span')
        who.className = 'who'
        who.textContent = message.author
        open.append(who)
      }
      const text = doc.createElement('span')
      text.className = 'text'
      text.textContent = message.text
      open.append(text)
      open.addEventListener('click', () => {
        hide()
        handlers.onOpen()
      })
      const close = doc.createElement('button')
      close.type = 'button'
      close.className = 'proactive-dismiss'
      close.setAttribute('aria-label', 'Dismiss message')
      close.textContent = '×'
      close.addEventListener('click', () => dismiss('button'))
      bubble.append(open, close)
      root.insertBefore(bubble, before)
      doc.addEventListener('keydown', onKey)
    },
    hide,
    shown: () => bubble !== undefined,
  }
}
