import type {
  CartInput,
  CartSnapshot,
  ConsentCategory,
  ConsentMode,
  ConsentState,
  ConsentUpdate,
  ContextScope,
  ContextValues,
  HostEventHandler,
  HostEventName,
  HostEvents,
  InitOptions,
  PageSnapshot,
  PageViewInput,
  RuleSet,
  TokenProvider,
  TrackEvent,
} from '@causette/events'
import type { Timers } from '@causette/transport'
import { CausetteError, toCausetteError } from './causette-error.js'
import { createCallQueue } from './create-call-queue.js'
import { createDeviceStorage, defaultStorage, storageKeys } from './create-device-storage.js'
import { createEmitter, type Unsubscribe } from './create-emitter.js'
import type { IdentifyResult } from './create-identity.js'
import { categoryNames, commandNames, eventNames } from './host-names.js'
import { type WidgetOptions, widgetDefaults } from './options.js'
import { basicPageSnapshot, capturePageContext, type PageContext } from './page-context.js'
import type {
  InitResult,
  Personalisation,
  PersonalisationModule,
  Phase,
  SeenPage,
  Shell,
  ShellDom,
} from './shell.js'
import { widgetCss } from './styles.js'
import type { WidgetHost } from './widget-host.js'

export type { InitResult } from './shell.js'

/** What `init` takes: the options of InitOptions and the engagement rules to run (docs/rules.md). */
export type InitSettings = InitOptions & { readonly rules?: RuleSet | undefined }

/**
 * The host API of one widget: the same commands as the script tag's `Causette(command, ...)`.
 * Every command resolves with its result or rejects with a CausetteError; `on`, `once` and `off`
 * register at once (they throw a CausetteError for an unknown event, as TypeScript would).
 */
export interface Widget {
  /** Mounts the launcher and starts the widget with these options; once per widget. */
  init(options?: InitSettings): Promise<InitResult>
  /** Identifies the visitor with a JWT from the shop's backend, or a provider of fresh ones. */
  identify(token: string | TokenProvider): Promise<IdentifyResult>
  /** Merges values into a context scope; `null` deletes a key. */
  set(scope: ContextScope, values: ContextValues): Promise<void>
  /** Records a page view; resolves with the page as recorded. */
  page(page?: PageViewInput): Promise<PageSnapshot>
  /**
   * Records an event (a name and its properties), or a `dataLayer.push` object as it is (GA4 or
   * Enhanced Ecommerce shape); resolves with the canonical events it stands for (docs/events.md).
   */
  track(
    event: string | Readonly<Record<string, unknown>>,
    properties?: Readonly<Record<string, unknown>>,
  ): Promise<readonly TrackEvent[]>
  /**
   * Sets the cart directly (its lines; value and item count are derived), or `null` to empty
   * it; resolves with the cart snapshot as recorded.
   */
  cart(cart: CartInput | null): Promise<CartSnapshot | null>
  open(): Promise<void>
  close(): Promise<void>
  /** Opens or closes the panel; resolves with whether it is open. */
  toggle(): Promise<boolean>
  /** Puts text into the composer, for the visitor to send (or not). */
  prefill(text: string): Promise<void>
  on<E extends HostEventName>(event: E, handler: HostEventHandler<E>): Unsubscribe
  once<E extends HostEventName>(event: E, handler: HostEventHandler<E>): Unsubscribe
  off<E extends HostEventName>(event: E, handler?: HostEventHandler<E>): void
  /** Records the visitor's consent choices; resolves with every category's value. */
  consent(categories: ConsentUpdate): Promise<ConsentState>
  /** Forgets the visitor on this device: every scope, stored state, identity and connection. */
  reset(): Promise<void>
  isOpen(): boolean
  /** Removes everything the widget added: elements, listeners, connections. Final. */
  destroy(): void
}

/** The widget with the entry points of the script-tag loader and of the parts that run inside it. */
export interface WidgetRuntime {
  readonly widget: Widget
  /** Runs a host call as `Causette(command, ...args)` does, with the page it was made on. */
  call(command: unknown, args: readonly unknown[], page: PageContext, at: number): Promise<unknown>
  /** Records a page view if the page changed since the last one (after a drain, on navigation). */
  syncPage(): void
  /** The widget as the parts that run inside it see it; loads the personalisation chunk. */
  host(): Promise<WidgetHost>
}

/** Seams for tests: how the personalisation chunk arrives, and the order calls run in. */
export interface RuntimeInternals {
  /** @default import('./personalise.js') */
  readonly loadPersonalisation?: () => Promise<PersonalisationModule>
  /** Called as each host call starts to run (not when it is made). */
  readonly onRun?: (command: unknown, page: PageContext) => void
  /** @default import('./chat/index.js') */
  readonly loadChat?: () => Promise<typeof import('./chat/index.js')>
}

const defaultTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as number),
}

function consentFor(mode: ConsentMode, given: ConsentUpdate): ConsentState {
  const state = {} as Record<ConsentCategory, 'granted' | 'denied'>
  for (const category of categoryNames) {
    state[category] = given[category] ?? (mode === 'required' ? 'denied' : 'granted')
  }
  return state
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  attributes: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  node.className = className
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value)
  return node
}

function chatIcon(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg'
  const svg = document.createElementNS(ns, 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('aria-hidden', 'true')
  const path = document.createElementNS(ns, 'path')
  path.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z')
  svg.append(path)
  return svg
}

const invalid = (message: string) => new CausetteError('invalid_argument', message)

/** The arity check of decodeHostCall, for the commands the loader runs without schemas. */
function atMost(command: string, args: readonly unknown[], max: number) {
  if (args.length > max) {
    throw invalid(
      `${command}: takes at most ${max} argument${max === 1 ? '' : 's'}, got ${args.length}`,
    )
  }
}

// Commands that always need the schemas. `init` and `page` need them with an argument.
const validated: readonly unknown[] = ['identify', 'set', 'track', 'cart', 'prefill', 'consent']

/**
 * Creates the visitor-facing widget. Creating it has no side effects: nothing is stored,
 * fetched or added to the page before `init`, and no global is written.
 *
 * @example
 * const widget = createWidget({ siteId: 'demo', serverUrl: 'https://chat.example.com' })
 * widget.on('message:received', ({ text }) => console.log(text))
 * await widget.init()
 */
export function createWidget(options: WidgetOptions): Widget {
  return createWidgetRuntime(options).widget
}

/**
 * `createWidget`, with the entry points of the script-tag loader and the parts that run inside
 * it. This is the loader's half of the widget (launcher, events, consent, call order); what
 * needs schemas runs in the personalisation chunk, imported on the first call that needs it.
 */
export function createWidgetRuntime(
  options: WidgetOptions,
  internals: RuntimeInternals = {},
): WidgetRuntime {
  const timers = options.timers ?? defaultTimers
  const now = options.now ?? Date.now
  const keys = storageKeys(options.siteId, options.serverUrl)
  const deviceStorage = () => (options.storage === undefined ? defaultStorage() : options.storage)
  const storage = createDeviceStorage(Object.values(keys), deviceStorage)
  const emitter = createEmitter<HostEvents>()

  let phase: Phase = 'created'
  let mode: ConsentMode = options.consent ?? 'not_required'
  let given: ConsentUpdate = {}
  let consent = consentFor(mode, given)
  let title = options.title ?? widgetDefaults.title
  let trackPages = options.trackPages ?? true
  let ready: HostEvents['ready'] | undefined
  let dom: ShellDom | undefined
  let opened = false
  let seen: SeenPage | undefined

  const allowed = () => phase === 'ready' && consent.functionality_storage === 'granted'

  function refusal(): CausetteError | undefined {
    if (phase !== 'ready') {
      return new CausetteError(
        'invalid_state',
        phase === 'created' ? 'call init() first' : 'the widget was destroyed',
      )
    }
    return allowed()
      ? undefined
      : new CausetteError('consent_required', 'chat needs consent to functionality_storage')
  }

  const queue = createCallQueue<Personalisation>(() => {
    let timer: unknown
    const late = new Promise<never>((_, reject) => {
      timer = timers.setTimeout(
        () => reject(new Error(`not loaded after ${widgetDefaults.loadTimeoutMs} ms`)),
        widgetDefaults.loadTimeoutMs,
      )
    })
    const load = internals.loadPersonalisation ?? (() => import('./personalise.js'))
    return Promise.race([load(), late]).then(
      (module) => {
        timers.clearTimeout(timer)
        const refused = phase === 'destroyed' ? refusal() : undefined
        if (refused) throw refused
        return module.startPersonalisation(shell)
      },
      (error: unknown) => {
        timers.clearTimeout(timer)
        throw new CausetteError('network', 'the widget could not load its personalisation part', {
          cause: error,
        })
      },
    )
  })

  function emit<E extends HostEventName>(event: E, payload: HostEvents[E]) {
    emitter.emit(event, payload)
    queue.loaded()?.emitted(event, payload)
  }

  function report(error: unknown) {
    const failure = toCausetteError(error)
    if (failure.code !== 'cancelled') {
      emit('error', { code: failure.code, message: failure.message, retryable: failure.retryable })
    }
  }

  function showPanel(show: boolean) {
    opened = show
    if (!dom) return
    dom.panel.hidden = !show
    dom.launcher.setAttribute('aria-expanded', String(show))
  }

  async function open(source: HostEvents['open']['source']) {
    const refused = refusal()
    if (refused) throw refused
    queue.loaded()?.panel(true)
    if (opened) return
    showPanel(true)
    let handle: Awaited<ReturnType<Personalisation['chat']>>
    try {
      handle = await (await queue.load()).chat()
    } catch (error) {
      showPanel(false)
      throw error
    }
    if (!opened) return
    handle.setOpen(true)
    emit('open', { source })
  }

  async function close(source: HostEvents['close']['source']) {
    if (phase !== 'ready') throw refusal()
    if (!opened) return
    showPanel(false)
    queue.loaded()?.panel(false)
    emit('close', { source })
    // Focus goes back to the launcher only from inside the widget: never steal the page's.
    if (dom && document.activeElement === dom.host) dom.launcher.focus()
  }

  /** Storage and connections are allowed from here on. */
  function activate() {
    storage.use(deviceStorage())
    if (dom) dom.launcher.hidden = false
    const personal = queue.loaded()
    if (personal) personal.activate()
    // A visitor with a conversation gets the chat at once, so that replies are heard.
    else if (storage.getItem(keys.conversation)) queue.load().catch(report)
  }

  /** Consent withdrawn: connections closed, the widget's keys removed, the launcher hidden. */
  function deactivate() {
    queue.loaded()?.deactivate()
    showPanel(false)
    if (dom) dom.launcher.hidden = true
    storage.use(null)
  }

  function applyConsent(update: ConsentUpdate): ConsentState {
    const before = allowed()
    given = { ...given }
    for (const category of categoryNames) {
      const value = update[category]
      if (value) given[category] = value
    }
    consent = consentFor(mode, given)
    if (!before && allowed()) activate()
    if (before && !allowed()) deactivate()
    // Denying storage also forgets what an earlier visit stored, even if nothing was allowed
    // yet on this page (a banner replaying "granted" later must not bring it back).
    if (update.functionality_storage === 'denied') storage.forget()
    return consent
  }

  function mount(): ShellDom {
    const host = element('div', '', { 'data-causette': '' })
    const root = host.attachShadow({ mode: 'open' })
    if ('adoptedStyleSheets' in root) {
      const sheet = new CSSStyleSheet()
      sheet.replaceSync(widgetCss)
      root.adoptedStyleSheets = [sheet]
    }
    const panel = element('div', 'panel', { role: 'dialog', 'aria-labelledby': 'causette-title' })
    panel.hidden = true
    const launcher = element('button', 'launcher', {
      type: 'button',
      'aria-expanded': 'false',
      'aria-label': 'Open chat',
    })
    launcher.hidden = !allowed()
    const badge = element('span', 'badge', { 'aria-hidden': 'true' })
    badge.hidden = true
    launcher.append(chatIcon(), badge)
    launcher.addEventListener('click', () =>
      (opened ? close('visitor') : open('launcher')).catch(report),
    )
    root.append(panel, launcher)
    ;(options.container ?? document.body).append(host)
    return { host, root, launcher, badge, panel }
  }

  function init(
    settings: InitOptions,
    page: PageContext,
    at: number,
    start?: () => void,
  ): InitResult {
    if (phase !== 'created') {
      throw new CausetteError(
        'invalid_state',
        phase === 'ready' ? 'init() was already called' : 'the widget was destroyed',
      )
    }
    mode = settings.consent ?? mode
    title = settings.title ?? title
    trackPages = settings.trackPages ?? trackPages
    consent = consentFor(mode, given)
    phase = 'ready'
    dom = mount()
    if (trackPages) seen = { page, at }
    if (allowed()) activate()
    start?.()
    const personal = queue.loaded()
    ready = {
      conversationId:
        (personal ? personal.conversationId() : storage.getItem(keys.conversation)) ?? null,
    }
    emit('ready', ready)
    return { conversationId: ready.conversationId, consent }
  }

  /** `page()` without arguments, before the chunk: kept for it to record when it arrives. */
  function page(captured: PageContext, at: number): PageSnapshot {
    const snapshot = basicPageSnapshot(captured)
    if (!snapshot) {
      throw invalid(`page: ${captured.url} is not an http(s) page`)
    }
    seen = { page: captured, at }
    return snapshot
  }

  function reset() {
    queue.loaded()?.reset()
    if (opened) void close('api')
    storage.forget()
    if (dom) {
      dom.badge.hidden = true
      dom.launcher.setAttribute('aria-label', 'Open chat')
    }
  }

  function listen(event: HostEventName, handler: (payload: never) => void, once: boolean) {
    // `ready` is remembered: a listener added after it still hears it, once, asynchronously.
    if (event === 'ready' && ready) {
      const payload = ready
      let live = true
      queueMicrotask(() => {
        if (live) (handler as HostEventHandler<'ready'>)(payload)
      })
      const unsubscribe = once ? () => undefined : emitter.on(event, handler as never)
      return () => {
        live = false
        unsubscribe()
      }
    }
    return (once ? emitter.once : emitter.on)(event, handler as never)
  }

  /** `on`, `once` and `off`, checked as decodeHostCall would: they need no schema and never wait. */
  function register(command: 'on' | 'once' | 'off', args: readonly unknown[]) {
    atMost(command, args, 2)
    const [event, handler] = args
    if (!(eventNames as readonly unknown[]).includes(event)) {
      throw invalid(
        `${command}(event): expected one of ${eventNames.map((n) => JSON.stringify(n)).join(', ')}`,
      )
    }
    const name = event as HostEventName
    if (command === 'off' && handler === undefined) return emitter.off(name)
    if (typeof handler !== 'function') throw invalid(`${command}(handler): expected a function`)
    if (command === 'off') return emitter.off(name, handler as () => void)
    return listen(name, handler as () => void, command === 'once')
  }

  /** The commands the loader runs itself; after the chunk's validation too. */
  function runCore(command: unknown, args: readonly unknown[], captured: PageContext, at: number) {
    if (typeof command !== 'string' || !(commandNames as readonly string[]).includes(command)) {
      throw invalid(
        `unknown command ${JSON.stringify(typeof command === 'string' ? command : typeof command)}`,
      )
    }
    switch (command) {
      case 'on':
      case 'once':
      case 'off':
        return register(command, args)
      case 'init':
      case 'page':
        atMost(command, args, 1)
        return command === 'init' ? init({}, captured, at) : page(captured, at)
      case 'open':
      case 'close':
      case 'toggle':
      case 'reset':
        atMost(command, args, 0)
        // Before the chunk, the page a call was made on is kept for it, as the chunk would record it.
        if (!queue.loaded() && trackPages && phase === 'ready' && seen?.page.url !== captured.url) {
          seen = { page: captured, at }
        }
        if (command === 'reset') return reset()
        if (command !== 'toggle') return command === 'open' ? open('api') : close('api')
        return (opened ? close('api') : open('api')).then(() => opened)
    }
    // The others need the schemas: they run here only if the chunk could not load.
    throw new CausetteError('internal', `${command} needs the personalisation part`)
  }

  function needsChunk(command: unknown, args: readonly unknown[]) {
    if (command === 'init') {
      return (
        args.some((arg) => arg !== undefined) ||
        (options.extensions?.length ?? 0) > 0 ||
        options.forward !== undefined
      )
    }
    if (command === 'page') return args.some((arg) => arg !== undefined)
    return validated.includes(command)
  }

  function call(command: unknown, args: readonly unknown[], captured: PageContext, at: number) {
    if (phase === 'destroyed') return Promise.reject(refusal())
    // Listeners are added at once, even while earlier calls wait for the chunk.
    if (command === 'on' || command === 'once' || command === 'off') {
      try {
        internals.onRun?.(command, captured)
        return Promise.resolve(register(command, args))
      } catch (error) {
        return Promise.reject(toCausetteError(error))
      }
    }
    return queue
      .submit(needsChunk(command, args), (personal) => {
        internals.onRun?.(command, captured)
        return personal
          ? personal.run(command, args, captured, at)
          : runCore(command, args, captured, at)
      })
      .catch((error: unknown) => {
        throw toCausetteError(error)
      })
  }

  const shell: Shell = {
    options,
    internals,
    storage,
    keys,
    timers,
    now,
    events: emitter,
    emit,
    report,
    phase: () => phase,
    refusal,
    allowed,
    consent: () => consent,
    title: () => title,
    trackPages: () => trackPages,
    dom: () => dom,
    isOpen: () => opened,
    open,
    close,
    init,
    applyConsent,
    runCore,
    setUnread(count) {
      if (dom) {
        dom.badge.hidden = count === 0
        dom.badge.textContent = String(count)
        dom.launcher.setAttribute('aria-label', count ? `Open chat, ${count} unread` : 'Open chat')
      }
      emit('unread', { count })
    },
    takePage() {
      const page = seen
      seen = undefined
      return page
    },
  }

  const method = (command: string) =>
    ((...args: unknown[]) => call(command, args, capturePageContext(), now())) as never

  const widget: Widget = {
    init: method('init'),
    identify: method('identify'),
    set: method('set'),
    page: method('page'),
    track: method('track'),
    cart: method('cart'),
    open: method('open'),
    close: method('close'),
    toggle: method('toggle'),
    prefill: method('prefill'),
    on: (...args) => register('on', args) as Unsubscribe,
    once: (...args) => register('once', args) as Unsubscribe,
    off: (...args) => void register('off', args),
    consent: method('consent'),
    reset: method('reset'),
    isOpen: () => opened,
    destroy() {
      if (phase === 'destroyed') return
      phase = 'destroyed'
      queue.abort(refusal())
      queue.loaded()?.destroy()
      dom?.host.remove()
      dom = undefined
      opened = false
      emitter.clear()
    },
  }

  return {
    widget,
    call,
    syncPage() {
      const captured = capturePageContext()
      const at = now()
      // In turn: after the calls that wait for the chunk, each of which records its own page.
      queue
        .submit(false, (personal) => {
          if (personal) personal.syncPage(captured, at)
          else if (trackPages && phase === 'ready' && seen?.page.url !== captured.url) {
            seen = { page: captured, at }
          }
        })
        .catch(report)
    },
    host: () => queue.load().then((personal) => personal.host),
  }
}
