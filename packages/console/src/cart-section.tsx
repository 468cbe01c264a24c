import type { CartLine, CartSnapshot } from '@causette/events'
import { useId } from 'preact/hooks'
import { ExternalLink } from './external-link.js'
import { formatMoney } from './format-money.js'

/** The visitor's cart: its lines and its total, in the cart's currency. */
export function CartSection({ cart }: { cart: CartSnapshot | null }) {
  const id = useId()
  return (
    <section class="visitor-section" aria-labelledby={id}>
      <h3 id={id}>Cart</h3>
      {cart === null ? (
        <p class="visitor-muted">Nothing known about the cart.</p>
      ) : cart.items.length === 0 ? (
        <p>Empty cart.</p>
      ) : (
        <CartTable cart={cart} />
      )}
    </section>
  )
}

function CartTable({ cart }: { cart: CartSnapshot }) {
  const price = (amount: number | undefined) =>
    amount === undefined || cart.currency === undefined
      ? 'No price'
      : formatMoney(amount, cart.currency)
  const units = cart.item_count === 1 ? '1 item' : `${cart.item_count} items`
  return (
    <table class="cart">
      <thead>
        <tr>
          <th scope="col">Product</th>
          <th scope="col">Qty</th>
          <th scope="col">Unit price</th>
        </tr>
      </thead>
      <tbody>
        {cart.items.map((line, index) => (
          <tr key={index}>
            <th scope="row">
              <LineName line={line} />
            </th>
            <td>{line.quantity}</td>
            <td>{price(line.price)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={2}>
            Total ({units})
          </th>
          <td>
            {cart.currency === undefined ? 'Unknown' : formatMoney(cart.value, cart.currency)}
          </td>
        </tr>
      </tfoot>
    </table>
  )
}

/** A product by its name (else its id), a link to its page when it has one, and its variant. */
export function LineName({
  line,
}: {
  line: Pick<CartLine, 'name' | 'product_id' | 'variant' | 'url'>
}) {
  const name = line.name || line.product_id
  return (
    <>
      {line.url ? <ExternalLink url={line.url}>{name}</ExternalLink> : name}
      {line.variant && (
        <>
          {' '}
          <span class="line-variant">{line.variant}</span>
        </>
      )}
    </>
  )
}
