import type { TrustLevel } from '../trust-level.js'
import type { FactRef } from './fact-catalogue.js'
import { fixedFacts } from './fact-catalogue.js'
import { inSchedule, localTime } from './local-time.js'
import type { Rule } from './rule.js'
import type { RuleMoney } from './rule-money.js'
import type { Schedule } from './schedule.js'

/** A visitor attribute as rules read it: a JSON primitive and how far it can be believed. */
export interface AttributeFact {
  readonly value: string | number | boolean | null
  readonly trust: TrustLevel
}

/** The page part of the facts; a page snapshot fits it. */
export interface FactsPage {
  readonly url: string
  readonly path: string
  readonly title?: string | undefined
  readonly referrer?: string | undefined
  readonly type?: string | undefined
}

/** The cart part of the facts; a cart snapshot fits it (`value` and `currency` make `cart.value`). */
export interface FactsCart {
  readonly value: number
  readonly currency?: string | undefined
  readonly item_count: number
}

/**
 * What rules read, filled by the caller from its snapshots. Every field is optional: a rule
 * reading a missing fact fails that condition with "absent" (only `exists` can test for it).
 */
export interface Facts {
  readonly page?: FactsPage | null | undefined
  readonly time_on_page_s?: number | undefined
  readonly time_on_site_s?: number | undefined
  readonly visits?: number | undefined
  readonly device?: 'mobile' | 'tablet' | 'desktop' | undefined
  /** BCP 47 tag, such as `fr-FR`. */
  readonly language?: string | undefined
  /** Visitor attributes by key, each with its trust level. */
  readonly visitor?: Readonly<Record<string, AttributeFact>> | undefined
  readonly cart?: FactsCart | null | undefined
  /** Trust of the cart snapshot. @default 'host' */
  readonly cart_trust?: TrustLevel | undefined
  /** Counts of tracked events in this session, by event name; a missing name counts 0. */
  readonly events?: Readonly<Record<string, number>> | undefined
  readonly conversation_active?: boolean | undefined
  readonly agents_available?: number | undefined
  /** Available agents by team; a missing team counts 0. */
  readonly agents_available_by_team?: Readonly<Record<string, number>> | undefined
  /** The site's business hours, read by `business_hours`. */
  readonly business_hours?: Schedule | null | undefined
  /** The site's time zone, read by `now.*` when the rule has no schedule. @default 'UTC' */
  readonly time_zone?: string | undefined
}

/** A fact's value as rules compare it. */
export type FactValue = string | number | boolean | RuleMoney

/** A resolved fact: its value (undefined when absent) and its trust. */
export interface ResolvedFact {
  readonly value: FactValue | undefined
  readonly trust: TrustLevel
}

function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record && Object.hasOwn(record, key) ? record[key] : undefined
}

function finite(n: number | undefined): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined
}

/** Reads one fact for a rule at `now` (the rule gives the schedule that `business_hours` and `now.*` may use). */
export function resolveFact(
  facts: Facts,
  ref: FactRef,
  rule: Pick<Rule, 'schedule'>,
  now: number,
): ResolvedFact {
  switch (ref.kind) {
    case 'visitor': {
      const attribute = own(facts.visitor, ref.key)
      return {
        value: attribute?.value ?? undefined,
        trust: attribute?.trust ?? 'observed',
      }
    }
    case 'event_count':
      return {
        value: facts.events ? (finite(own(facts.events, ref.event)) ?? 0) : undefined,
        trust: 'host',
      }
    case 'team_agents':
      return {
        value: facts.agents_available_by_team
          ? (finite(own(facts.agents_available_by_team, ref.team)) ?? 0)
          : undefined,
        trust: 'verified',
      }
    case 'fixed':
      break
  }
  const name = ref.name
  const fixedTrust = fixedFacts[name].trust
  const of = (value: FactValue | null | undefined): ResolvedFact => ({
    value: value ?? undefined,
    trust: fixedTrust,
  })
  const cart = facts.cart ?? undefined
  const cartTrust = facts.cart_trust ?? 'host'
  const zone = rule.schedule?.time_zone ?? facts.time_zone ?? 'UTC'
  switch (name) {
    case 'page.url':
      return of(facts.page?.url)
    case 'page.path':
      return of(facts.page?.path)
    case 'page.title':
      return of(facts.page?.title)
    case 'page.referrer':
      return of(facts.page?.referrer)
    case 'page.type':
      return of(facts.page?.type)
    case 'time_on_page_s':
      return of(finite(facts.time_on_page_s))
    case 'time_on_site_s':
      return of(finite(facts.time_on_site_s))
    case 'visits':
      return of(finite(facts.visits))
    case 'device':
      return of(facts.device)
    case 'language':
      return of(facts.language)
    case 'cart.value':
      return {
        value:
          cart && finite(cart.value) !== undefined
            ? { amount: cart.value, currency: cart.currency?.toUpperCase() ?? '' }
            : undefined,
        trust: cartTrust,
      }
    case 'cart.item_count':
      return { value: finite(cart?.item_count), trust: cartTrust }
    case 'cart.currency':
      return { value: cart?.currency?.toUpperCase(), trust: cartTrust }
    case 'conversation.active':
      return of(facts.conversation_active)
    case 'agents.available':
      return of(finite(facts.agents_available))
    case 'business_hours': {
      const schedule = facts.business_hours ?? rule.schedule
      return of(schedule ? inSchedule(schedule, now).pass : undefined)
    }
    case 'now.weekday':
      return of(localTime(now, zone)?.weekday)
    case 'now.hour': {
      const local = localTime(now, zone)
      return of(local ? Math.floor(local.minutes / 60) : undefined)
    }
  }
}

/** Whether a value is a money object (`{ amount, currency }`). */
export function isMoney(value: unknown): value is RuleMoney {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.hasOwn(value, 'amount') &&
    Object.hasOwn(value, 'currency')
  )
}
