import type { StorageLike } from '@causette/transport'

export interface WidgetOptions {
  /** The site id, as configured on the server. */
  readonly siteId: string
  /** Base URL of the Causette server, such as `https://chat.example.com`. */
  readonly serverUrl: string
  /** Where the visitor's identity and unsent messages survive a reload. @default localStorage, or memory where it is blocked */
  readonly storage?: StorageLike | null
  /** Element the widget's host element is appended to. @default document.body */
  readonly container?: HTMLElement
  /** Title of the chat panel. @default 'Chat with us' */
  readonly title?: string
}

export const widgetDefaults = {
  title: 'Chat with us',
} as const

/** `localStorage`, or null where the browser blocks it (sandboxed frames, some privacy modes). */
export function defaultStorage(): StorageLike | null {
  try {
    const storage = globalThis.localStorage
    const probe = '__causette_probe__'
    storage.setItem(probe, '1')
    storage.removeItem(probe)
    return storage
  } catch {
    return null
  }
}
