import type {
  ConsentState,
  ConsentUpdate,
  HostEventName,
  HostEvents,
  InitOptions,
} from '@causette/events'
import type { Timers } from '@causette/transport'
import type { CausetteError } from './causette-error.js'
import type { ChatHandle } from './chat/index.js'
import type { DeviceStorage, StorageKeys } from './create-device-storage.js'
import type { Emitter } from './create-emitter.js'
import type { RuntimeInternals } from './create-widget.js'
import type { WidgetOptions } from './options.js'
import type { PageContext } from './page-context.js'
import type { WidgetHost } from './widget-host.js'

// The seam between the loader (loader.js: launcher, events, consent, call order) and the
// personalisation chunk it imports on the first call that needs schemas. Types only: the chunk
// gets the shell as an argument, never by importing the loader's modules' state.

/** What `init` resolves to. */
export interface InitResult {
  /** The visitor's conversation on this device, if one is known. */
  readonly conversationId: string | null
  readonly consent: ConsentState
}

export type Phase = 'created' | 'ready' | 'destroyed'

/** The elements the loader mounts in its shadow root. */
export interface ShellDom {
  readonly host: HTMLElement
  readonly root: ShadowRoot
  readonly launcher: HTMLButtonElement
  readonly badge: HTMLSpanElement
  readonly panel: HTMLDivElement
}

/** A page view the loader saw before the chunk was there, for the chunk to record. */
export interface SeenPage {
  readonly page: PageContext
  readonly at: number
}

/** The loader's side of the widget, as the personalisation chunk sees it. */
export interface Shell {
  readonly options: WidgetOptions
  /** Seams for tests (how chunks arrive). */
  readonly internals: RuntimeInternals
  readonly storage: DeviceStorage
  readonly keys: StorageKeys
  readonly timers: Timers
  readonly now: () => number
  readonly events: Emitter<HostEvents>
  emit<E extends HostEventName>(event: E, payload: HostEvents[E]): void
  /** Emits a failure no call can catch as the `error` event. */
  report(error: unknown): void
  phase(): Phase
  /** Why chat is refused now (before init, after destroy, without consent), if it is. */
  refusal(): CausetteError | undefined
  /** Whether storage and connections are allowed (ready, functionality_storage granted). */
  allowed(): boolean
  consent(): ConsentState
  title(): string
  trackPages(): boolean
  dom(): ShellDom | undefined
  isOpen(): boolean
  open(source: HostEvents['open']['source']): Promise<void>
  close(source: HostEvents['close']['source']): Promise<void>
  /** The rest of `init`, with validated options; `start` runs once mounted, before `ready`. */
  init(settings: InitOptions, page: PageContext, at: number, start: () => void): InitResult
  applyConsent(update: ConsentUpdate): ConsentState
  /** Runs a command the loader handles itself (open, close, toggle, on, once, off, reset, init and page without arguments). */
  runCore(command: string, args: readonly unknown[], page: PageContext, at: number): unknown
  /** Shows the count of unread replies on the launcher and emits `unread`. */
  setUnread(count: number): void
  /** The last page view the loader saw and no one recorded yet; taking it clears it. */
  takePage(): SeenPage | undefined
}

/** The personalisation chunk, started by the loader with its shell. */
export interface Personalisation {
  /** Runs a host call (validated here) with the page it was made on. */
  run(command: unknown, args: readonly unknown[], page: PageContext, at: number): unknown
  /** Records a page view if the page changed since the last one. */
  syncPage(page: PageContext, at: number): void
  /** The chat chunk, loaded and started. */
  chat(): Promise<ChatHandle>
  conversationId(): string | undefined
  /** An event was emitted (forwarding). */
  emitted<E extends HostEventName>(event: E, payload: HostEvents[E]): void
  /** The panel is opening (the proactive message goes) or closed. */
  panel(open: boolean): void
  /** Storage and connections became allowed. */
  activate(): void
  /** Consent was withdrawn: connections closed, the proactive message hidden. */
  deactivate(): void
  /** `reset()`: identity, scopes, conversation and rule history forgotten. */
  reset(): void
  /** `destroy()`: every listener, timer and connection stopped. */
  destroy(): void
  readonly host: WidgetHost
}

/** What the chunk's module exports. */
export interface PersonalisationModule {
  startPersonalisation(shell: Shell): Personalisation
}
