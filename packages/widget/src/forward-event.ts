import type { HostEventName, HostEvents } from '@causette/events'

/** Where chat events are forwarded to (`init({ forward })`). */
export interface ForwardTargets {
  readonly segment?: boolean | undefined
  readonly dataLayer?: boolean | undefined
}

/** The page globals forwarding writes to: Segment's `analytics` and Google Tag Manager's `dataLayer`. */
export interface ForwardScope {
  analytics?: { track?: (event: string, properties: Record<string, unknown>) => unknown }
  dataLayer?: unknown[]
}

/** Segment's Live Chat spec names (segment.com/docs/connections/spec/live-chat). */
const segmentNames: Partial<Record<HostEventName, string>> = {
  'conversation:started': 'Live Chat Conversation Started',
  'conversation:ended': 'Live Chat Conversation Ended',
  'message:sent': 'Live Chat Message Sent',
  'message:received': 'Live Chat Message Received',
}

/**
 * The properties forwarded for a host event, snake_case; undefined for events that are not
 * forwarded. Never message text, names or identity: an analytics tool gets ids and counts.
 */
export function forwardedProperties<E extends HostEventName>(
  event: E,
  payload: HostEvents[E],
): Record<string, unknown> | undefined {
  const p = payload as Partial<Record<string, unknown>>
  const ruleId = (p.trigger as { rule_id?: unknown } | null | undefined)?.rule_id ?? p.ruleId
  const properties: Record<string, unknown> = {
    conversation_id: p.conversationId,
    message_id: p.messageId,
    rule_id: ruleId,
    source: p.source,
    reason: p.reason,
    via: p.via,
    rating: p.rating,
  }
  switch (event) {
    case 'ready':
    case 'unread':
    case 'error':
      return undefined
    default:
      return Object.fromEntries(Object.entries(properties).filter(([, v]) => v != null))
  }
}

/** Sends a host event to Segment (Live Chat spec events only) and to `dataLayer`. */
export function forwardEvent<E extends HostEventName>(
  event: E,
  payload: HostEvents[E],
  targets: ForwardTargets,
  scope: ForwardScope = globalThis as ForwardScope,
) {
  const properties = forwardedProperties(event, payload)
  if (!properties) return
  const segmentName = segmentNames[event]
  if (targets.segment && segmentName && typeof scope.analytics?.track === 'function') {
    scope.analytics.track(segmentName, properties)
  }
  if (targets.dataLayer) {
    scope.dataLayer ??= []
    scope.dataLayer.push({ event: `causette.${event.replace(':', '_')}`, causette: properties })
  }
}
