import type {
  ConsentCategory,
  ContextUpdate,
  ContextValue,
  HostEventHandler,
  HostEventName,
  PageSnapshot,
  ProactiveMessage,
  RuleMatch,
  TrackEvent,
} from '@causette/events'
import type { StorageLike } from '@causette/transport'
import type { CausetteError } from './causette-error.js'
import type { Unsubscribe } from './create-emitter.js'

/** What happened on the page, in order, for the parts that react to it (engagement rules). */
export type WidgetSignal =
  | { readonly type: 'page'; readonly page: PageSnapshot; readonly at: number }
  | { readonly type: 'track'; readonly event: TrackEvent; readonly at: number }
  /** The visitor saw a rule's proactive message, or interacted with it (opened or dismissed it). */
  | {
      readonly type: 'proactive'
      readonly ruleId: string
      readonly reaction: 'seen' | 'interacted'
      readonly at: number
    }
  /** `reset()`: whatever a part keeps about the visitor goes. */
  | { readonly type: 'reset'; readonly at: number }

/** The answer to `showProactive`. */
export type ProactiveOutcome =
  | { readonly shown: true }
  | { readonly shown: false; readonly error: CausetteError }

/** The widget as the parts that run inside it see it (not part of the host API). */
export interface WidgetHost {
  /**
   * Shows a proactive message above the launcher. Opening the chat from it starts the
   * conversation with `match` as its trigger. Fails with `invalid_state` while the panel is open.
   */
  showProactive(message: ProactiveMessage, match: RuleMatch): ProactiveOutcome
  /** Opens the chat; a conversation started from it carries `match` as its trigger. */
  open(match?: RuleMatch): Promise<void>
  /**
   * A rule's `route` action: the next conversation the visitor starts carries `match` as its
   * trigger (unless a proactive message they opened carries its own); `undefined` withdraws it.
   */
  route(match: RuleMatch | undefined): void
  isOpen(): boolean
  /** Whether the visitor granted a consent category (docs/host-api.md, "Consent"). */
  granted(category: ConsentCategory): boolean
  /** The widget's storage: memory until consent allows the device's. */
  readonly storage: StorageLike
  /** The context kept so far: scopes, page view, cart, event counts. */
  context(): ContextUpdate
  /** The claims the shop's JWT verified (`identify`), which override host values. */
  verified(): Readonly<Record<string, ContextValue>>
  conversationId(): string | undefined
  onSignal(listener: (signal: WidgetSignal) => void): Unsubscribe
  on<E extends HostEventName>(event: E, handler: HostEventHandler<E>): Unsubscribe
}

/** A part that runs with the widget from `init` on; returns what stops it. */
export type WidgetExtension = (host: WidgetHost) => (() => void) | undefined
