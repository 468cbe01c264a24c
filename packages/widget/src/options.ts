import type { ConsentMode } from '@causette/events'
import type { StorageLike, Timers, WebSocketConstructor } from '@causette/transport'
import type { ForwardTargets } from './forward-event.js'
import type { NormalizeTrack } from './normalize-track.js'
import type { NavigationTargets } from './watch-navigation.js'
import type { WidgetExtension } from './widget-host.js'

export interface WidgetOptions {
  /** The site id, as configured on the server. */
  readonly siteId: string
  /** Base URL of the Causette server, such as `https://chat.example.com`. */
  readonly serverUrl: string
  /**
   * Where the visitor's identity, context and unsent messages survive a reload, once consent
   * allows it; `null` keeps everything in memory. @default localStorage, or memory where it is blocked
   */
  readonly storage?: StorageLike | null
  /** Element the widget's host element is appended to. @default document.body */
  readonly container?: HTMLElement
  /** Title of the chat panel; `init({ title })` overrides it. @default 'Chat with us' */
  readonly title?: string
  /** Consent mode; `init({ consent })` overrides it. @default 'not_required' */
  readonly consent?: ConsentMode
  /** Forwarding of chat events; `init({ forward })` overrides it. @default {} (none) */
  readonly forward?: ForwardTargets
  /** Record page views on its own (landing page, SPA navigations). @default true */
  readonly trackPages?: boolean
  /** Validates and normalizes `track` calls. @default normalizeTrack (Segment, GA4, custom) */
  readonly normalizeTrack?: NormalizeTrack
  /** Parts that run with the widget (the engagement rules runner); each returns its cleanup. */
  readonly extensions?: readonly WidgetExtension[]
  /** Pause before context changes are sent to an open conversation (they coalesce meanwhile). @default 500 */
  readonly contextDelayMs?: number
  /** @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch
  /** @default globalThis.WebSocket */
  readonly WebSocket?: WebSocketConstructor
  /** @default globalThis */
  readonly timers?: Timers
  /** @default Date.now */
  readonly now?: () => number
  /** Where single-page-app navigations are heard. @default globalThis.navigation, else window */
  readonly navigation?: NavigationTargets
}

export const widgetDefaults = {
  title: 'Chat with us',
  contextDelayMs: 500,
  /**
   * How long the personalisation chunk may take to arrive before the calls waiting for it fail
   * with a retryable `network` error (the next call that needs it tries again).
   */
  loadTimeoutMs: 15_000,
} as const
