import {
  type AttributeFact,
  type ContextUpdate,
  type ContextValue,
  deviceTypes,
  type Facts,
  type RuleSet,
} from '@causette/events'
import type { AgentsOnline } from '../chat/visitor-api.js'
import type { Visit } from './create-rule-storage.js'

/** Where the facts come from: the widget's context and what the rules part keeps. */
export interface FactSources {
  /** The context kept so far (`WidgetHost.context()`). */
  readonly context: ContextUpdate
  /** Claims the shop's JWT verified; they override the page's values of the same key. */
  readonly verified: Readonly<Record<string, ContextValue>>
  readonly conversationActive: boolean
  readonly visit: Visit
  /** Agents online, when known (by team when the server says). */
  readonly agentsOnline: AgentsOnline | undefined
  readonly ruleSet: Pick<RuleSet, 'business_hours' | 'time_zone'>
  readonly now: number
}

const isDevice = (value: unknown): value is (typeof deviceTypes)[number] =>
  (deviceTypes as readonly unknown[]).includes(value)

/**
 * The facts engagement rules read (docs/rules.md, "Facts"), from the widget's context: the page
 * view (with its type), the cart (its value is money in its currency), visitor attributes with
 * their trust (`host` from `set('visitor')`, `verified` from the JWT, which wins), event counts,
 * device and language (observed), visits and time on site, whether a conversation is open, and
 * agents online (by team only when the server's answer has `teams`: otherwise
 * `agents.available.<team>` is absent and its condition fails, saying so). `time_on_page_s` is added by the runner. Pure.
 */
export function ruleFacts(sources: FactSources): Facts {
  const { context } = sources
  const page = context.page_view
  const cart = context.cart
  // fromEntries defines own properties: a key such as `__proto__` cannot reach a prototype.
  const visitor = new Map<string, AttributeFact>()
  for (const [key, value] of Object.entries(context.visitor ?? {})) {
    if (value !== null) visitor.set(key, { value, trust: 'host' })
  }
  for (const [key, value] of Object.entries(sources.verified)) {
    if (value !== null) visitor.set(key, { value, trust: 'verified' })
  }
  const device = context.observed?.device
  const language = context.observed?.language
  return {
    page: page
      ? {
          url: page.url,
          path: page.path,
          title: page.title,
          referrer: page.referrer,
          type: page.type,
        }
      : null,
    cart: cart ? { value: cart.value, currency: cart.currency, item_count: cart.item_count } : null,
    cart_trust: 'host',
    visitor: Object.fromEntries(visitor),
    events: context.events ?? {},
    time_on_site_s: Math.max(0, sources.now - sources.visit.startedAt) / 1000,
    visits: sources.visit.visits,
    device: isDevice(device) ? device : undefined,
    language: typeof language === 'string' ? language : undefined,
    conversation_active: sources.conversationActive,
    agents_available: sources.agentsOnline?.total,
    agents_available_by_team: sources.agentsOnline?.teams,
    business_hours: sources.ruleSet.business_hours ?? null,
    time_zone: sources.ruleSet.time_zone,
  }
}
