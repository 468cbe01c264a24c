import type { ConditionExplanation, RuleMatch } from '@causette/events'
import { useId } from 'preact/hooks'
import type { ConversationOrigin } from './api.js'
import { formatFullTime, formatTime, isoFromEpoch } from './format-time.js'
import { triggerLabel } from './labels.js'
import { TrustBadge } from './trust-badge.js'

/** "Why this conversation started": the visitor, or a rule with its verdict step by step. */
export function OriginSection({ origin, now }: { origin: ConversationOrigin; now: Date }) {
  const id = useId()
  return (
    <section class="visitor-section" aria-labelledby={id}>
      <h3 id={id}>Why this conversation started</h3>
      {origin.kind === 'visitor' && <p>Started by the visitor.</p>}
      {origin.kind === 'unrecognised' && (
        <p>Started by a rule that this console cannot read (unrecognised).</p>
      )}
      {origin.kind === 'rule' && <RuleOrigin match={origin.match} now={now} />}
    </section>
  )
}

function RuleOrigin({ match, now }: { match: RuleMatch; now: Date }) {
  const at = isoFromEpoch(match.matched_at)
  const { explanation } = match
  return (
    <>
      <dl class="facts">
        <dt>Rule</dt>
        <dd class="rule-name">{match.rule_name.trim() || match.rule_id}</dd>
        <dt>Triggered by</dt>
        <dd>{triggerLabel(match.trigger)}</dd>
        <dt>When</dt>
        <dd>
          {at ? (
            <time datetime={at} title={formatFullTime(at)}>
              {formatTime(at, now)}
            </time>
          ) : (
            'Unknown'
          )}
        </dd>
      </dl>
      {/* The widget evaluated the rule in the visitor's browser and reported this: like any fact
          from the shop's page, it is not proof (docs/rules.md, "Trust"). */}
      <p class="trust-note">
        <TrustBadge trust="host" /> Reported by the widget in the visitor's browser.
      </p>
      <ul class="explanation" aria-label="How the rule matched">
        <li>
          <Verdict pass={explanation.enabled} />{' '}
          {explanation.enabled ? 'The rule is enabled' : 'The rule is disabled'}
        </li>
        {explanation.trigger && (
          <li>
            <Verdict pass={explanation.trigger.pass} /> Trigger: {explanation.trigger.reason}
          </li>
        )}
        {explanation.schedule && (
          <li>
            <Verdict pass={explanation.schedule.pass} /> Schedule: {explanation.schedule.reason}
          </li>
        )}
        <ConditionNode node={explanation.conditions} />
      </ul>
    </>
  )
}

/** One node of the condition tree, its children nested under it. */
function ConditionNode({ node }: { node: ConditionExplanation }) {
  switch (node.kind) {
    case 'leaf':
      return (
        <li>
          <Verdict pass={node.pass} /> {node.reason}
          {node.trust && (
            <>
              {' '}
              <TrustBadge trust={node.trust} />
            </>
          )}
        </li>
      )
    case 'all':
    case 'any':
      return (
        <li>
          <Verdict pass={node.pass} /> {node.kind === 'all' ? 'All of' : 'Any of'} ({node.reason})
          {node.children.length > 0 && (
            <ul>
              {node.children.map((child, index) => (
                <ConditionNode key={index} node={child} />
              ))}
            </ul>
          )}
        </li>
      )
    case 'not':
      return (
        <li>
          <Verdict pass={node.pass} /> Not
          <ul>
            <ConditionNode node={node.child} />
          </ul>
        </li>
      )
    case 'omitted':
      return (
        <li>
          <Verdict pass={node.pass} /> Conditions (details left out): {node.reason}
        </li>
      )
    default:
      return assertNever(node)
  }
}

/** Pass or fail in words; the mark and colour only repeat them. */
function Verdict({ pass }: { pass: boolean }) {
  return (
    <span class={pass ? 'verdict verdict--pass' : 'verdict verdict--fail'}>
      <span aria-hidden="true">{pass ? '✓ ' : '✗ '}</span>
      {pass ? 'Pass' : 'Fail'}
    </span>
  )
}

function assertNever(value: never): never {
  throw new Error(`unknown condition node: ${JSON.stringify(value)}`)
}
