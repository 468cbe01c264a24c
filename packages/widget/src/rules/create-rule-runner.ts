import {
  type Action,
  checkCaps,
  createRuleMatch,
  emptyRuleState,
  evaluateRule,
  type Facts,
  matchTrigger,
  type Rule,
  type RuleMatch,
  type RuleSet,
  type RuleState,
  recordEngaged,
  recordInteraction,
  recordSeen,
  recordShown,
  rollRuleState,
  ruleDefaults,
  ruleLimits,
  selectRules,
  type TriggerEvent,
} from '@causette/events'

/** Time as the runner reads it; tests pass a fake one. */
export interface RuleClock {
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** Where the visitor's rule history lives between page loads. @default memory */
export interface RuleStateStore {
  get(): RuleState | undefined
  set(state: RuleState): void
}

export interface RuleRunnerOptions {
  readonly ruleSet: RuleSet
  /** The current facts; the runner adds `time_on_page_s` (visible time since the last page view). */
  readonly getFacts: () => Facts
  /** @default Date.now and the global timers */
  readonly clock?: RuleClock
  readonly state?: RuleStateStore
  /** Called once per rule that fires, with the match to attach to the conversation it starts. */
  readonly onFire: (match: RuleMatch, actions: readonly Action[]) => void
  /**
   * Called with the rules about to be evaluated (enabled, their trigger matched); a promise
   * defers their evaluation until it settles, so that facts can be fetched only when a rule
   * reads them (`agents.available`). An evaluation deferred past a page view is dropped.
   */
  readonly prepare?: (rules: readonly Rule[]) => Promise<unknown> | undefined
}

export interface RuleRunner {
  /** A page view (also a single-page navigation): resets the page timers, idle timers and pending delays. */
  pageView(page: { readonly path: string }): void
  /** A tracked event. */
  event(name: string): void
  /** The tab was hidden or shown: timers and delays pause while it is hidden. */
  setHidden(hidden: boolean): void
  /** Pointer, keyboard or scroll activity: restarts the idle timers. */
  activity(): void
  /** The pointer left through the top of the viewport. */
  exitIntent(): void
  /** The visitor saw the message of a rule (it was on screen). */
  seen(ruleId: string): void
  /** The visitor opened, clicked or dismissed the message of a rule. */
  interacted(ruleId: string): void
  /** The visitor replied to the message of a rule. */
  engaged(ruleId: string): void
  /** Cancels every timer; later calls do nothing. */
  dispose(): void
}

interface Pending {
  left: number
  due: number
  handle: unknown
  readonly run: () => void
}

const systemClock: RuleClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
}

function seconds(rules: readonly Rule[], type: 'timer' | 'idle'): number[] {
  const all = rules.flatMap((r) =>
    r.enabled && r.trigger.type === type ? [r.trigger.after_s] : [],
  )
  return [...new Set(all)]
}

/**
 * Runs a rule set in the page: turns page views, events, timers, idleness and exit intent into
 * triggers, applies delays, caps and priorities, and calls `onFire` for each rule that fires.
 *
 * @example
 * const runner = createRuleRunner({ ruleSet, getFacts, onFire: (match, actions) => show(match, actions) })
 * runner.pageView({ path: location.pathname })
 */
export function createRuleRunner(options: RuleRunnerOptions): RuleRunner {
  const { ruleSet, getFacts, onFire } = options
  const clock = options.clock ?? systemClock
  let memory: RuleState | undefined
  const store: RuleStateStore = options.state ?? {
    get: () => memory,
    set: (state) => {
      memory = state
    },
  }
  const zone = ruleSet.time_zone ?? ruleDefaults.timeZone
  const timers = seconds(ruleSet.rules, 'timer')
  const idles = seconds(ruleSet.rules, 'idle')
  const pending = new Map<string, Pending>()
  let hidden = false
  let disposed = false
  // Counts page views: an evaluation that waited for `prepare` across one belongs to another page.
  let pages = 0
  // Visible time on the current page: what elapsed before `since`, plus now - since while visible.
  let visibleMs = 0
  let since: number | undefined = clock.now()

  const load = (now: number) => rollRuleState(store.get() ?? emptyRuleState(now), now, zone)
  const facts = (now: number): Facts => ({
    ...getFacts(),
    time_on_page_s: (visibleMs + (since === undefined ? 0 : now - since)) / 1000,
  })

  function arm(key: string, p: Pending) {
    p.due = clock.now() + p.left
    p.handle = clock.setTimeout(() => {
      pending.delete(key)
      p.run()
    }, p.left)
  }

  function cancel(key: string) {
    const p = pending.get(key)
    if (p?.handle !== undefined) clock.clearTimeout(p.handle)
    pending.delete(key)
  }

  function schedule(key: string, ms: number, run: () => void) {
    cancel(key)
    const p: Pending = { left: ms, due: 0, handle: undefined, run }
    pending.set(key, p)
    if (!hidden) arm(key, p)
  }

  function fire(
    rule: Rule,
    trigger: TriggerEvent,
    now: number,
    verdict = evaluateRule(rule, facts(now), now, trigger),
  ) {
    store.set(recordShown(load(now), ruleSet, rule, now))
    onFire(createRuleMatch(rule, verdict, trigger, now), rule.actions)
  }

  /** Runs `evaluate` once `prepare` is done with `rules`, at once when it has nothing to wait for. */
  function whenPrepared(rules: readonly Rule[], evaluate: () => void) {
    const waiting = rules.length > 0 ? options.prepare?.(rules) : undefined
    if (!waiting) return evaluate()
    const page = pages
    const then = () => {
      if (!disposed && page === pages) evaluate()
    }
    waiting.then(then, then)
  }

  // After a delay the facts may have changed (a conversation started, the cart emptied): check again.
  function fireLater(rule: Rule, trigger: TriggerEvent) {
    whenPrepared([rule], () => {
      const now = clock.now()
      const verdict = evaluateRule(rule, facts(now), now, trigger)
      if (verdict.matched && checkCaps(ruleSet, load(now), rule, now).pass)
        fire(rule, trigger, now, verdict)
    })
  }

  function run(trigger: TriggerEvent) {
    if (disposed) return
    store.set(load(clock.now()))
    const candidates = ruleSet.rules.filter(
      (rule) => rule.enabled && matchTrigger(rule.trigger, trigger).pass,
    )
    whenPrepared(candidates, () => {
      const now = clock.now()
      const state = load(now)
      for (const { rule, verdict } of selectRules(ruleSet, facts(now), state, trigger, now)) {
        const key = `delay:${rule.id}`
        if (!rule.delay_s) fire(rule, trigger, now, verdict)
        else if (!pending.has(key))
          schedule(key, rule.delay_s * 1000, () => fireLater(rule, trigger))
      }
    })
  }

  function armIdle() {
    for (const s of idles) schedule(`idle:${s}`, s * 1000, () => run({ type: 'idle', after_s: s }))
  }

  function record(update: (state: RuleState, ruleId: string) => RuleState, ruleId: string) {
    if (!disposed) store.set(update(load(clock.now()), ruleId))
  }

  return {
    pageView(page) {
      if (disposed) return
      pages++
      for (const key of [...pending.keys()]) cancel(key)
      visibleMs = 0
      since = hidden ? undefined : clock.now()
      for (const s of timers)
        schedule(`timer:${s}`, s * 1000, () => run({ type: 'timer', after_s: s }))
      armIdle()
      run({ type: 'page_view', path: page.path.slice(0, ruleLimits.pathInputMax) })
    },
    event: (name) => run({ type: 'event', event: name }),
    setHidden(next) {
      if (disposed || next === hidden) return
      hidden = next
      const now = clock.now()
      if (hidden) {
        visibleMs += since === undefined ? 0 : now - since
        since = undefined
        for (const p of pending.values()) {
          if (p.handle === undefined) continue
          clock.clearTimeout(p.handle)
          p.handle = undefined
          p.left = Math.max(0, p.due - now)
        }
      } else {
        since = now
        for (const [key, p] of pending) if (p.handle === undefined) arm(key, p)
      }
    },
    activity() {
      if (!disposed && !hidden) armIdle()
    },
    exitIntent: () => run({ type: 'exit_intent' }),
    seen: (ruleId) => record(recordSeen, ruleId),
    interacted: (ruleId) => record(recordInteraction, ruleId),
    engaged: (ruleId) => record(recordEngaged, ruleId),
    dispose() {
      disposed = true
      for (const key of [...pending.keys()]) cancel(key)
    },
  }
}
