import {
  type CartSnapshot,
  type ConsentUpdate,
  type ContextScope,
  type ContextValues,
  decodeHost,
  decodeHostCall,
  decodeRuleSet,
  type HostCommand,
  type InitOptions,
  type PageSnapshot,
  type PageViewInput,
  ProactiveMatch,
  ProactiveMessage,
  type RuleMatch,
  type RuleSet,
  reduceCart,
  reducePage,
  setCart,
  type TokenProvider,
} from '@causette/events'
import { config } from 'zod/mini'
import { CausetteError } from './causette-error.js'
import type { ChatHandle } from './chat/index.js'
import { createApiCall, createVisitorApi } from './chat/visitor-api.js'
import { createContextStore } from './create-context-store.js'
import { createEmitter } from './create-emitter.js'
import { createIdentity } from './create-identity.js'
import { createProactiveBubble, type ProactiveBubble } from './create-proactive-bubble.js'
import { createSession } from './create-session.js'
import { type ForwardTargets, forwardEvent } from './forward-event.js'
import { normalizeTrack as defaultNormalizeTrack } from './normalize-track.js'
import { widgetDefaults } from './options.js'
import { capturePageContext, type PageContext } from './page-context.js'
import { pageSnapshot } from './page-snapshot.js'
import { startRules } from './rules/start-rules.js'
import type { Personalisation, SeenPage, Shell } from './shell.js'
import { watchNavigation } from './watch-navigation.js'
import type { ProactiveOutcome, WidgetHost, WidgetSignal } from './widget-host.js'

/** What the widget measures itself (trust level `observed`). */
function observe(): ContextValues {
  return {
    language: globalThis.navigator?.language ?? null,
    time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone ?? null,
    device: globalThis.matchMedia?.('(max-width: 480px)').matches ? 'mobile' : 'desktop',
  }
}

/** `init`'s arguments without `rules`, which decodeRuleSet checks (its paths name the rule). */
function withoutRules(args: readonly unknown[]): { args: readonly unknown[]; rules: unknown } {
  const [first, ...rest] = args
  if (typeof first !== 'object' || first === null || !Object.hasOwn(first, 'rules')) {
    return { args, rules: undefined }
  }
  const { rules, ...options } = first as Record<string, unknown>
  return { args: [options, ...rest], rules }
}

/**
 * The personalisation chunk: validation of every host call (the zod schemas of
 * @causette/events), the context store, commerce events, identity, the visitor's session,
 * forwarding, proactive messages and the engagement rules; and, through it, the chat chunk.
 * The loader imports it on the first call that needs it (docs/host-api.md, "Weight").
 */
export function startPersonalisation(shell: Shell): Personalisation {
  // This chunk is the first, and the only, to load zod: it configures it once, before any
  // schema runs. Validation must never try `new Function`: shops run strict CSPs.
  config({ jitless: true })
  const { options, storage, keys, timers, now, report } = shell
  const call = createApiCall(options.serverUrl, options.fetch)
  const api = createVisitorApi(call, options.siteId)
  const signals = createEmitter<{ signal: WidgetSignal }>()
  const session = createSession({ api, storage, keys })
  const context = createContextStore({ storage, keys, now })
  let forward: ForwardTargets = options.forward ?? {}
  let chat: Promise<ChatHandle> | undefined
  let draft: string | undefined
  let bubble: ProactiveBubble | undefined
  /** The match of the proactive message on screen; the one a new conversation carries; a route. */
  let proactive: RuleMatch | undefined
  let trigger: RuleMatch | undefined
  let routed: RuleMatch | undefined
  const stops: Array<() => void> = []

  const identity = createIdentity({
    session,
    api,
    timers,
    now,
    blocked: () => (shell.phase() !== 'ready' ? 'init' : shell.allowed() ? undefined : 'consent'),
    onError: report,
    onSwitched: () => {
      if (chat) void chat.then((handle) => handle.resume(), report)
      else loadChat().catch(report)
    },
  })

  session.subscribe((ended) => {
    if (!ended) return
    context.endConversation()
    shell.emit('conversation:ended', ended)
  })

  const changed = () => void chat?.then((handle) => handle.contextChanged(), report)

  // The panel, the transport and the conversation are a chunk of their own, fetched only when
  // a conversation needs them.
  function loadChat(): Promise<ChatHandle> {
    const refused = shell.refusal()
    const dom = shell.dom()
    if (refused || !dom) return Promise.reject(refused)
    if (chat) return chat
    const { root, panel } = dom
    // A chunk request that stalls must not leave `open()` waiting for ever with an empty panel:
    // after `loadTimeoutMs` it fails as `network`, and the next `open()` tries again.
    let timer: unknown
    const late = new Promise<never>((_, reject) => {
      timer = timers.setTimeout(
        () => reject(new Error(`not loaded after ${widgetDefaults.loadTimeoutMs} ms`)),
        widgetDefaults.loadTimeoutMs,
      )
    })
    const chunk = Promise.race([
      (shell.internals.loadChat ?? (() => import('./chat/index.js')))(),
      late,
    ])
    void chunk.then(
      () => timers.clearTimeout(timer),
      () => timers.clearTimeout(timer),
    )
    const loading: Promise<ChatHandle> = chunk.then(
      ({ startChat }) => {
        // Dropped (reset, consent revoked, destroy) while the chunk was on its way.
        if (chat !== loading)
          throw new CausetteError('cancelled', 'the chat was closed while it loaded')
        return startChat({
          serverUrl: options.serverUrl,
          call,
          session,
          context,
          storage,
          keys,
          timers,
          contextDelayMs: options.contextDelayMs ?? widgetDefaults.contextDelayMs,
          title: shell.title(),
          root,
          slot: panel,
          prefill: draft,
          trigger: () => trigger ?? routed,
          onStarted: (conversationId, sent) => {
            if (trigger === sent) trigger = undefined
            if (routed === sent) routed = undefined
            shell.emit('conversation:started', { conversationId, trigger: sent ?? null })
          },
          onUnread: shell.setUnread,
          onRequestClose: () => void shell.close('visitor').catch(report),
          onEvent: (event) => shell.emit(event.type, event.payload),
          onError: report,
          WebSocket: options.WebSocket,
        })
      },
      (error: unknown) => {
        if (chat === loading) chat = undefined
        throw new CausetteError('network', 'the chat could not be loaded', { cause: error })
      },
    )
    chat = loading
    return loading
  }

  function dropChat() {
    const loading = chat
    chat = undefined
    loading?.then(
      (handle) => handle.destroy(),
      () => undefined,
    )
  }

  function recordPage(page: PageSnapshot, at: number): PageSnapshot {
    context.pageView(page)
    signals.emit('signal', { type: 'page', page, at })
    changed()
    return page
  }

  function recordSeen(seen: SeenPage | undefined) {
    const snapshot = seen && pageSnapshot(seen.page)
    if (seen && snapshot) recordPage(snapshot, seen.at)
  }

  /** A call made on another page than the last one recorded first records that page. */
  function syncPageTo(page: PageContext, at: number) {
    if (shell.phase() !== 'ready' || !shell.trackPages() || context.page()?.url === page.url) return
    const snapshot = pageSnapshot(page)
    if (snapshot) recordPage(snapshot, at)
  }

  function page(input: PageViewInput | undefined, captured: PageContext, at: number) {
    const snapshot = pageSnapshot(captured, input)
    if (!snapshot) {
      throw new CausetteError('invalid_argument', `page: ${captured.url} is not an http(s) page`)
    }
    return recordPage(snapshot, at)
  }

  function track(name: unknown, properties: unknown, captured: PageContext, at: number) {
    const normalize = options.normalizeTrack ?? defaultNormalizeTrack
    const normalized = normalize(name, properties, { baseUrl: captured.url })
    if (!normalized.ok) throw new CausetteError(normalized.error.code, normalized.error.message)
    const events = normalized.value
    // Everything is checked before anything is applied: a refused call changes nothing.
    let cart: CartSnapshot | undefined = context.cart() ?? undefined
    for (const event of events) {
      const next = reduceCart(cart, event, at)
      if (!next.ok) throw new CausetteError(next.error.code, `track: ${next.error.message}`)
      // An event that leaves no cart behind makes none.
      if (cart || next.value.items.length > 0 || next.value.cart_id) cart = next.value
    }
    const overLimit = context.count(events.map((event) => event.event))
    if (overLimit) throw new CausetteError('limit_exceeded', overLimit)
    if (cart && cart !== context.cart()) context.setCart(cart)
    let current = context.page()
    for (const event of events) {
      if (current) current = reducePage(current, event)
      signals.emit('signal', { type: 'track', event, at })
    }
    if (current && current !== context.page()) context.pageView(current)
    changed()
    return events
  }

  /** Starts what runs while the widget is mounted: rules, extensions, page views. */
  function start(ruleSet: RuleSet | undefined) {
    context.setObserved(observe())
    if (ruleSet) {
      stops.push(
        startRules({
          ruleSet,
          host,
          clock: {
            now,
            setTimeout: (callback, ms) => timers.setTimeout(callback, ms),
            clearTimeout: (handle) => timers.clearTimeout(handle),
          },
          storageKey: keys.rules,
          agentsOnline: () => (shell.allowed() ? api.agentsOnline() : undefined),
          window: globalThis.window,
          onError: report,
        }),
      )
    }
    for (const extension of options.extensions ?? []) {
      const stop = extension(host)
      if (stop) stops.push(stop)
    }
    // After the rules: the landing page is their first page view.
    recordSeen(shell.takePage())
    if (shell.trackPages()) {
      stops.push(
        watchNavigation(
          options.navigation ?? { navigation: globalThis.navigation, window: globalThis.window },
          () => syncPageTo(capturePageContext(), now()),
          timers,
        ),
      )
    }
  }

  function init(settings: InitOptions | undefined, rules: unknown, page: PageContext, at: number) {
    let ruleSet: RuleSet | undefined
    if (rules !== undefined) {
      const decoded = decodeRuleSet(rules)
      if (!decoded.ok) {
        const { code, path, message } = decoded.error
        throw new CausetteError(code, `init(options).rules${path ? '.' : ': '}${message}`)
      }
      ruleSet = decoded.value
    }
    return shell.init(settings ?? {}, page, at, () => {
      forward = settings?.forward ?? forward
      start(ruleSet)
    })
  }

  function react(reaction: 'seen' | 'interacted') {
    if (proactive)
      signals.emit('signal', { type: 'proactive', ruleId: proactive.rule_id, reaction, at: now() })
  }

  function showProactive(message: unknown, match: unknown): ProactiveOutcome {
    const text = decodeHost(ProactiveMessage, message, 'message')
    if (!text.ok) return { shown: false, error: new CausetteError(text.code, text.message) }
    const rule = decodeHost(ProactiveMatch, match, 'match')
    if (!rule.ok) return { shown: false, error: new CausetteError(rule.code, rule.message) }
    const dom = shell.dom()
    const refused =
      shell.refusal() ??
      (shell.isOpen() ? new CausetteError('invalid_state', 'the chat is open') : undefined)
    if (refused || !dom) {
      return { shown: false, error: refused ?? new CausetteError('internal', 'no DOM') }
    }
    bubble ??= createProactiveBubble(dom.root, dom.launcher, {
      onOpen: () => {
        react('interacted')
        if (!session.conversationId()) trigger = proactive
        shell.open('proactive').catch(report)
      },
      onDismiss: (via) => {
        shell.emit('proactive:dismissed', { ruleId: proactive?.rule_id ?? null, via })
        react('interacted')
      },
    })
    if (bubble.shown()) {
      shell.emit('proactive:dismissed', { ruleId: proactive?.rule_id ?? null, via: 'replaced' })
    }
    proactive = rule.value
    bubble.show(text.value)
    shell.emit('proactive:shown', {
      text: text.value.text,
      ...(text.value.author ? { author: text.value.author } : {}),
      ruleId: proactive.rule_id,
    })
    react('seen')
    return { shown: true }
  }

  const host: WidgetHost = {
    showProactive,
    open(match) {
      if (match && !session.conversationId()) trigger = match
      return shell.open('proactive')
    },
    route(match) {
      routed = match
    },
    isOpen: () => shell.isOpen(),
    granted: (category) => shell.consent()[category] === 'granted',
    storage,
    context: () => context.view(),
    verified: () => identity.verified(),
    conversationId: () => session.conversationId(),
    onSignal: (listener) => signals.on('signal', listener),
    on: (event, handler) => shell.events.on(event, handler),
  }

  function activate() {
    session.load()
    context.load()
    if (session.conversationId()) loadChat().catch(report)
    identity.resume()
  }

  function run(command: unknown, args: readonly unknown[], page: PageContext, at: number) {
    const split = command === 'init' ? withoutRules(args) : { args, rules: undefined }
    const decoded = decodeHostCall(command, split.args)
    if (!decoded.ok) throw new CausetteError(decoded.code, decoded.message)
    const { command: name, args: values } = decoded.value
    if (name !== 'init' && name !== 'page') syncPageTo(page, at)
    return commands[name](values, page, at, split.rules)
  }

  type Command = (
    args: readonly unknown[],
    page: PageContext,
    at: number,
    rules: unknown,
  ) => unknown
  // What the loader does itself, arguments checked here like any other's.
  const core =
    (name: HostCommand): Command =>
    (args, page, at) =>
      shell.runCore(name, args, page, at)
  const commands: Record<HostCommand, Command> = {
    init: ([settings], page, at, rules) =>
      init(settings as InitOptions | undefined, rules, page, at),
    identify: ([token]) => identity.identify(token as string | TokenProvider),
    set: ([scope, values]) => {
      const overLimit = context.set(scope as ContextScope, values as ContextValues)
      if (overLimit) throw new CausetteError('limit_exceeded', overLimit)
      changed()
    },
    page: ([input], captured, at) => page(input as PageViewInput | undefined, captured, at),
    track: ([name, properties], captured, at) => track(name, properties, captured, at),
    cart: ([input], _captured, at) => {
      let snapshot: CartSnapshot | null = null
      if (input !== null) {
        const set = setCart(input, at)
        if (!set.ok) throw new CausetteError(set.error.code, `cart: ${set.error.message}`)
        snapshot = set.value
      }
      context.setCart(snapshot)
      changed()
      return snapshot
    },
    prefill: ([text]) => {
      draft = text as string
      void chat?.then((handle) => handle.prefill(text as string), report)
    },
    consent: ([update]) => {
      const state = shell.applyConsent(update as ConsentUpdate)
      // The rule history stays on the device only while personalization_storage is granted.
      if (state.personalization_storage !== 'granted') storage.removeItem(keys.rules)
      return state
    },
    open: core('open'),
    close: core('close'),
    toggle: core('toggle'),
    on: core('on'),
    once: core('once'),
    off: core('off'),
    reset: core('reset'),
  }
  const personalisation: Personalisation = {
    run,
    syncPage: syncPageTo,
    chat: loadChat,
    conversationId: () => session.conversationId(),
    emitted(event, payload) {
      // The page's own analytics may be broken (a `dataLayer` that is not an array, a throwing
      // `analytics.track`): that is reported, never thrown into the widget's own work.
      if (shell.consent().analytics_storage === 'granted') {
        try {
          forwardEvent(event, payload, forward)
        } catch (error) {
          report(error)
        }
      }
    },
    panel(open) {
      if (open) bubble?.hide()
      else void chat?.then((handle) => handle.setOpen(false), report)
    },
    activate,
    deactivate() {
      dropChat()
      bubble?.hide()
    },
    reset() {
      identity.clear()
      trigger = routed = proactive = draft = undefined
      bubble?.hide()
      dropChat()
      session.forget('reset')
      context.reset()
      signals.emit('signal', { type: 'reset', at: now() })
    },
    destroy() {
      for (const stop of stops.splice(0)) stop()
      identity.clear()
      dropChat()
      bubble?.hide()
      signals.clear()
    },
    host,
  }

  // The loader may have been running for a while (mounted, allowed to store): catch up with it.
  if (shell.allowed()) activate()
  if (shell.phase() === 'ready') start(undefined)
  else recordSeen(shell.takePage())
  return personalisation
}
