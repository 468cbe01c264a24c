import type { PageSnapshot } from '@causette/events'
import { useId } from 'preact/hooks'
import { LineName } from './cart-section.js'
import { ExternalLink } from './external-link.js'
import { formatMoney } from './format-money.js'
import { pageTypeLabel } from './labels.js'

/** The page the visitor is on: its title, address, kind, and the product it shows. */
export function PageSection({ page }: { page: PageSnapshot | null }) {
  const id = useId()
  return (
    <section class="visitor-section" aria-labelledby={id}>
      <h3 id={id}>Page</h3>
      {page === null ? (
        <p class="visitor-muted">Not known yet.</p>
      ) : (
        <dl class="facts">
          <dt>Title</dt>
          <dd>{page.title || 'No title'}</dd>
          <dt>Address</dt>
          <dd class="url">
            <ExternalLink url={page.url} />
          </dd>
          {page.type && (
            <>
              <dt>Kind</dt>
              <dd>{pageTypeLabel(page.type)}</dd>
            </>
          )}
          {page.product && (
            <>
              <dt>Product in view</dt>
              <dd>
                <LineName line={page.product} />{' '}
                {page.product.price !== undefined && page.product.currency !== undefined && (
                  <span class="line-price">
                    {formatMoney(page.product.price, page.product.currency)}
                  </span>
                )}
              </dd>
            </>
          )}
          {page.referrer && (
            <>
              <dt>Came from</dt>
              <dd class="url">
                <ExternalLink url={page.referrer} />
              </dd>
            </>
          )}
        </dl>
      )}
    </section>
  )
}
