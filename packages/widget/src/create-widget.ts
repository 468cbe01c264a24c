import type { StorageLike } from '@causette/transport'
import type { ChatHandle } from './chat/index.js'
import { defaultStorage, type WidgetOptions, widgetDefaults } from './options.js'
import { widgetCss } from './styles.js'

export interface Widget {
  /** Adds the launcher to the page. Idempotent: a second mount does nothing. */
  mount(): void
  /** Removes everything the widget added: elements, listeners, connections. */
  unmount(): void
  open(): Promise<void>
  close(): void
  toggle(): Promise<void>
  isOpen(): boolean
}

const svgNs = 'http://www.w3.org/2000/svg'

function chatIcon(): SVGSVGElement {
  const svg = document.createElementNS(svgNs, 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('aria-hidden', 'true')
  const path = document.createElementNS(svgNs, 'path')
  path.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z')
  svg.append(path)
  return svg
}

/**
 * Creates the visitor-facing widget. Creating it has no side effects; `mount` adds it.
 *
 * @example
 * const widget = createWidget({ siteId: 'demo', serverUrl: 'https://chat.example.com' })
 * widget.mount()
 */
export function createWidget(options: WidgetOptions): Widget {
  let storage: StorageLike | null | undefined = options.storage
  let host: HTMLElement | undefined
  let launcher: HTMLButtonElement | undefined
  let badge: HTMLSpanElement | undefined
  let panel: HTMLDivElement | undefined
  let chat: Promise<ChatHandle> | undefined
  let opened = false

  function setUnread(count: number) {
    if (!badge || !launcher) return
    badge.hidden = count === 0
    badge.textContent = String(count)
    launcher.setAttribute('aria-label', count > 0 ? `Open chat, ${count} unread` : 'Open chat')
  }

  // The panel and the transport are a separate chunk, fetched only when a conversation needs
  // them, so a page view without chat pays for the launcher alone.
  function loadChat(): Promise<ChatHandle> {
    const slot = panel
    if (!slot) return Promise.reject(new Error('widget is not mounted: call mount() first'))
    chat ??= import('./chat/index.js').then(({ startChat }) =>
      startChat({
        serverUrl: options.serverUrl,
        siteId: options.siteId,
        storage: storage ?? null,
        title: options.title ?? widgetDefaults.title,
        slot,
        onUnread: setUnread,
        onRequestClose: () => widget.close(),
      }),
    )
    return chat
  }

  const widget: Widget = {
    mount() {
      if (host) return
      if (storage === undefined) storage = defaultStorage()
      host = document.createElement('div')
      host.setAttribute('data-causette', '')
      const root = host.attachShadow({ mode: 'open' })
      if ('adoptedStyleSheets' in root) {
        const sheet = new CSSStyleSheet()
        sheet.replaceSync(widgetCss)
        root.adoptedStyleSheets = [sheet]
      }
      panel = document.createElement('div')
      panel.className = 'panel'
      panel.hidden = true
      panel.setAttribute('role', 'dialog')
      panel.setAttribute('aria-labelledby', 'causette-title')
      launcher = document.createElement('button')
      launcher.type = 'button'
      launcher.className = 'launcher'
      launcher.setAttribute('aria-expanded', 'false')
      launcher.setAttribute('aria-label', 'Open chat')
      launcher.append(chatIcon())
      badge = document.createElement('span')
      badge.className = 'badge'
      badge.hidden = true
      badge.setAttribute('aria-hidden', 'true')
      launcher.append(badge)
      launcher.addEventListener('click', () => void widget.toggle())
      root.append(panel, launcher)
      ;(options.container ?? document.body).append(host)
      // A visitor who already has a conversation should hear replies without opening the panel.
      if (storage?.getItem(`causette:${options.siteId}:conversation`)) void loadChat()
    },
    unmount() {
      void chat?.then((handle) => handle.destroy())
      chat = undefined
      host?.remove()
      host = launcher = badge = panel = undefined
      opened = false
    },
    async open() {
      if (!panel || !launcher) throw new Error('widget is not mounted: call mount() first')
      opened = true
      panel.hidden = false
      launcher.setAttribute('aria-expanded', 'true')
      ;(await loadChat()).setOpen(opened)
    },
    close() {
      if (!panel || !launcher) return
      opened = false
      panel.hidden = true
      launcher.setAttribute('aria-expanded', 'false')
      void chat?.then((handle) => handle.setOpen(false))
      launcher.focus()
    },
    toggle: () => (opened ? Promise.resolve(widget.close()) : widget.open()),
    isOpen: () => opened,
  }
  return widget
}
