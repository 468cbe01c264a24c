import type { Action, Condition, Rule, RuleMatch, RuleSet } from '@causette/events'
import { type CausetteError, toCausetteError } from '../causette-error.js'
import type { AgentsOnline } from '../chat/visitor-api.js'
import type { WidgetHost } from '../widget-host.js'
import { attachRuleSignals } from './attach-rule-signals.js'
import { createAvailability } from './create-availability.js'
import { createRuleRunner, type RuleClock } from './create-rule-runner.js'
import { createRuleStorage } from './create-rule-storage.js'
import { ruleFacts } from './rule-facts.js'

export interface RulesOptions {
  readonly ruleSet: RuleSet
  readonly host: WidgetHost
  readonly clock: RuleClock
  /** The storage key of the rule history and visits. */
  readonly storageKey: string
  /** Asks the server how many agents are online; undefined when it may not connect now. */
  readonly agentsOnline: () => Promise<AgentsOnline> | undefined
  /** Where visibility, activity and exit intent are heard; none in a page without a window. */
  readonly window: Window | undefined
  /** How long an availability answer is kept. @default availabilityDefaults.cacheMs */
  readonly availabilityCacheMs?: number
  /** A failure no call can catch (a proactive message the schemas refused). */
  readonly onError: (error: CausetteError) => void
}

/** Whether a condition reads a fact whose name starts with `prefix` (own properties only). */
function reads(condition: Condition, prefix: string): boolean {
  const stack: Condition[] = [condition]
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (Object.hasOwn(node, 'all')) stack.push(...(node as { all: Condition[] }).all)
    else if (Object.hasOwn(node, 'any')) stack.push(...(node as { any: Condition[] }).any)
    else if (Object.hasOwn(node, 'not')) stack.push((node as { not: Condition }).not)
    else {
      const fact = (node as { fact?: unknown }).fact
      if (typeof fact === 'string' && fact.startsWith(prefix)) return true
    }
  }
  return false
}

// Refusals that are the widget's state, not a fault: the panel is open, consent is missing.
const expected = new Set(['invalid_state', 'consent_required', 'cancelled'])

/**
 * Runs a rule set in the widget (docs/rules.md): page views (on load and on single-page
 * navigation) and tracked events become triggers, and so do timers, idleness and exit intent
 * (`attachRuleSignals`); facts come from the context (`ruleFacts`); agents online are fetched
 * only before a rule that reads `agents.*` is evaluated, and kept for a minute. A rule that
 * fires shows its proactive message, opens the chat, or routes the next conversation: its
 * `RuleMatch` becomes that conversation's trigger. What the visitor does with a message feeds
 * the frequency caps. Returns what stops it all: listeners, timers, requests' results.
 */
export function startRules(options: RulesOptions): () => void {
  const { ruleSet, host, clock } = options
  const storage = createRuleStorage({
    storage: host.storage,
    key: options.storageKey,
    granted: () => host.granted('personalization_storage'),
    now: clock.now,
  })
  const availability = createAvailability({
    ask: options.agentsOnline,
    now: clock.now,
    ...(options.availabilityCacheMs === undefined ? {} : { cacheMs: options.availabilityCacheMs }),
  })
  const readsAgents = new Set(
    ruleSet.rules.filter((rule) => reads(rule.conditions, 'agents.')).map((rule) => rule.id),
  )

  function onFire(match: RuleMatch, actions: readonly Action[]) {
    // The route first: a message or an open of the same rule starts a conversation with it.
    if (actions.some((action) => action.type === 'route')) host.route(match)
    for (const action of actions) {
      if (action.type === 'proactive_message') {
        const message = { text: action.text, ...(action.author && { author: action.author.name }) }
        const outcome = host.showProactive(message, match)
        if (!outcome.shown && !expected.has(outcome.error.code)) options.onError(outcome.error)
      } else if (action.type === 'open') {
        host.open(match).catch((error: unknown) => {
          const failure = toCausetteError(error)
          if (!expected.has(failure.code)) options.onError(failure)
        })
      }
    }
  }

  const runner = createRuleRunner({
    ruleSet,
    clock,
    state: storage,
    getFacts: () =>
      ruleFacts({
        context: host.context(),
        verified: host.verified(),
        conversationActive: host.conversationId() !== undefined,
        visit: storage.visit(),
        agentsOnline: availability.current(),
        ruleSet,
        now: clock.now(),
      }),
    prepare: (rules: readonly Rule[]) =>
      rules.some((rule) => readsAgents.has(rule.id)) ? availability.refresh() : undefined,
    onFire,
  })

  // A page view is a new URL. Its evaluation waits a tick, so that what the page says about
  // itself right after (`page({ type })` from a router, queued script-tag calls) is in the facts.
  let url: string | undefined
  let pageTimer: unknown
  const stops = [
    host.onSignal((signal) => {
      switch (signal.type) {
        case 'page': {
          if (signal.page.url === url && pageTimer === undefined) return
          if (signal.page.url !== url) host.route(undefined)
          url = signal.page.url
          const path = signal.page.path
          clock.clearTimeout(pageTimer)
          pageTimer = clock.setTimeout(() => {
            pageTimer = undefined
            runner.pageView({ path })
          }, 0)
          return
        }
        case 'track':
          return runner.event(signal.event.event)
        case 'proactive':
          return signal.reaction === 'seen'
            ? runner.seen(signal.ruleId)
            : runner.interacted(signal.ruleId)
        case 'reset':
          return storage.forget()
      }
    }),
    // A conversation started from a rule's message or route: the visitor replied to it.
    host.on('conversation:started', ({ trigger }) => {
      if (trigger) runner.engaged(trigger.rule_id)
    }),
    options.window ? attachRuleSignals(runner, options.window) : () => undefined,
  ]
  return () => {
    for (const stop of stops) stop()
    clock.clearTimeout(pageTimer)
    runner.dispose()
  }
}
