import type { ContextEntries } from '@causette/events'
import { useId } from 'preact/hooks'
import type { VisitorContext } from './api.js'
import { byTrust } from './labels.js'
import { TrustBadge } from './trust-badge.js'

const scopes = [
  ['visitor', 'Visitor'],
  ['session', 'This visit'],
  ['page', 'This page'],
  ['conversation', 'This conversation'],
  ['observed', 'Measured by the widget'],
] as const

/** Every fact known of the visitor, by scope, strongest trust first, and its event counts. */
export function DetailsSection({ context }: { context: VisitorContext }) {
  const id = useId()
  const shown = scopes.filter(([scope]) => Object.keys(context[scope]).length > 0)
  const events = Object.entries(context.events).sort(
    ([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0),
  )
  return (
    <section class="visitor-section" aria-labelledby={id}>
      <h3 id={id}>Details</h3>
      {shown.length === 0 && events.length === 0 && (
        <p class="visitor-muted">Nothing else is known.</p>
      )}
      {shown.map(([scope, title]) => (
        <Facts key={scope} title={title} entries={context[scope]} />
      ))}
      {events.length > 0 && <Events events={events} />}
    </section>
  )
}

function Facts({ title, entries }: { title: string; entries: ContextEntries }) {
  const id = useId()
  const facts = Object.entries(entries)
    .map(([key, entry]) => ({ key, ...entry }))
    .sort(byTrust)
  return (
    <>
      <h4 id={id}>{title}</h4>
      <dl class="facts facts--attributes" aria-labelledby={id}>
        {facts.map((fact) => (
          <div key={fact.key} class="fact">
            <dt>{fact.key}</dt>
            <dd>
              <span class="fact-value">{valueText(fact.value)}</span>{' '}
              <TrustBadge trust={fact.trust} />
            </dd>
          </div>
        ))}
      </dl>
    </>
  )
}

function Events({ events }: { events: ReadonlyArray<readonly [string, number]> }) {
  const id = useId()
  return (
    <>
      <h4 id={id}>Events</h4>
      <dl class="facts facts--events" aria-labelledby={id}>
        {events.map(([name, count]) => (
          <div key={name} class="fact">
            <dt>{name}</dt>
            <dd>{count === 1 ? 'once' : `${count} times`}</dd>
          </div>
        ))}
      </dl>
    </>
  )
}

function valueText(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'Yes' : 'No'
  return value === '' ? '(empty)' : String(value)
}
