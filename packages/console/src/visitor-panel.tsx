import type { ConversationSummary } from '@causette/events'
import type { Transport } from '@causette/transport'
import { useId, useState } from 'preact/hooks'
import type { Api, ConversationDetail } from './api.js'
import { CartSection } from './cart-section.js'
import { DetailsSection } from './details-section.js'
import { apiErrorMessage } from './error-messages.js'
import { OriginSection } from './origin-section.js'
import { PageSection } from './page-section.js'
import type { GateClock } from './refetch-gate.js'
import { useConversationDetail } from './use-conversation-detail.js'

export interface VisitorPanelProps {
  readonly api: Api
  readonly conversation: ConversationSummary
  readonly transport: Transport
  readonly now: Date
  /** The session ended on the server. */
  readonly onExpired: () => void
  /** @default conversationDetailDefaults.minRefetchMs */
  readonly minRefetchMs?: number | undefined
  /** @default the global clock and timers */
  readonly clock?: GateClock | undefined
}

/**
 * Who the visitor of the selected conversation is and why the conversation started, next to
 * the thread. On narrow screens it sits under the thread, folded behind "Visitor details".
 * Everything in it comes from the shop's page: it renders as text, never as HTML.
 */
export function VisitorPanel({
  api,
  conversation,
  transport,
  now,
  onExpired,
  minRefetchMs,
  clock,
}: VisitorPanelProps) {
  const [open, setOpen] = useState(false)
  // Kept across selections: coming back to a conversation is spaced like any refetch.
  const [fetchedAt] = useState(() => new Map<string, number>())
  const id = useId()
  return (
    <aside class="visitor" aria-label="Visitor">
      <h2 class="visitor-heading">
        {/* Shown on narrow screens only (CSS), where the details fold away. */}
        <button
          type="button"
          class="visitor-toggle"
          aria-expanded={open ? 'true' : 'false'}
          aria-controls={`${id}-body`}
          onClick={() => setOpen((was) => !was)}
        >
          <span class="visitor-toggle-mark" aria-hidden="true" />
          Visitor details
        </button>
        <span class="visitor-title">Visitor details</span>
      </h2>
      <VisitorBody
        key={conversation.id}
        id={`${id}-body`}
        open={open}
        api={api}
        conversation={conversation}
        transport={transport}
        now={now}
        onExpired={onExpired}
        fetchedAt={fetchedAt}
        minRefetchMs={minRefetchMs}
        clock={clock}
      />
    </aside>
  )
}

interface VisitorBodyProps extends VisitorPanelProps {
  readonly id: string
  readonly open: boolean
  readonly fetchedAt: Map<string, number>
}

function VisitorBody({
  id,
  open,
  api,
  conversation,
  transport,
  now,
  onExpired,
  fetchedAt,
  minRefetchMs,
  clock,
}: VisitorBodyProps) {
  const { state, busy, retry } = useConversationDetail(api, conversation, transport, {
    onUnauthorized: onExpired,
    fetchedAt,
    minRefetchMs,
    clock,
  })
  const detail =
    state.status === 'ready' ? state.detail : state.status === 'failed' ? state.stale : undefined
  return (
    // A scrollable region is focusable so keyboard users can scroll it.
    <section
      id={id}
      class={open ? 'visitor-body visitor-body--open' : 'visitor-body'}
      aria-label="Visitor details"
      aria-busy={busy ? 'true' : 'false'}
      tabindex={0}
    >
      {state.status === 'loading' && <p class="visitor-muted">Loading visitor details…</p>}
      {state.status === 'failed' && (
        <div class="visitor-error">
          <p>
            {state.stale
              ? 'Visitor details could not be refreshed.'
              : 'Visitor details could not be loaded.'}{' '}
            {apiErrorMessage(state.error)}
          </p>
          <button
            type="button"
            class="button button--small"
            onClick={() => {
              if (!busy) retry()
            }}
            aria-disabled={busy ? 'true' : undefined}
          >
            {busy ? 'Trying again…' : 'Try again'}
          </button>
        </div>
      )}
      {detail && <Sections detail={detail} now={now} />}
    </section>
  )
}

function Sections({ detail, now }: { detail: ConversationDetail; now: Date }) {
  const { context } = detail
  return (
    <>
      <OriginSection origin={context.trigger} now={now} />
      <CartSection cart={context.cart} />
      <PageSection page={context.page_view} />
      <DetailsSection context={context} />
    </>
  )
}
