// The demo shop's own script: what a shop adds to tell Causette what its visitor is doing, so
// that agents see the page and the cart. Every call goes through the host API
// (docs/host-api.md): calls made before the widget has loaded are queued by the snippet in the
// page's <head>, and every call answers with a promise (a result or a typed error).
const product = document.querySelector('[data-product-id]')

// Engagement rules are data (docs/rules.md): 15 s on a product page with more than 100 EUR in
// the cart, no conversation yet and an agent online: offer help, once per visitor until the
// visitor answers. The agent sees this rule, and why it matched, next to the conversation.
Causette('init', {
  rules: {
    max_proactive_per_session: 1,
    time_zone: 'Europe/Paris',
    rules: [
      {
        id: 'big-cart-help',
        name: 'Help with a cart over 100 EUR',
        enabled: true,
        priority: 10,
        trigger: { type: 'timer', after_s: 15 },
        conditions: {
          all: [
            { fact: 'page.type', op: 'eq', value: 'product' },
            { fact: 'cart.value', op: 'gt', value: { amount: 100, currency: 'EUR' } },
            { fact: 'conversation.active', op: 'is_false' },
            { fact: 'agents.available', op: 'gte', value: 1 },
          ],
        },
        actions: [
          {
            type: 'proactive_message',
            text: 'Each plum vase is unique: any question before it is yours?',
          },
        ],
        frequency: { per: 'visitor', max: 1, until: 'engaged' },
      },
    ],
  },
})

if (product) {
  // Prices as the page prints them ('112.00'): the widget reads decimal strings exactly.
  const item = {
    product_id: product.dataset.productId,
    name: product.dataset.name,
    price: product.dataset.price,
    currency: product.dataset.currency,
  }
  Causette('page', { type: 'product' })
  Causette('track', 'Product Viewed', item)

  const note = product.querySelector('.cart-note')
  product.querySelector('.buy')?.addEventListener('click', () => {
    Causette('track', 'Product Added', { ...item, quantity: 1 }).then(
      () => {
        note.textContent = 'Added to your cart.'
      },
      (error) => {
        note.textContent = `Could not add to the cart (${error.code}).`
      },
    )
  })
} else {
  Causette('page', { type: 'home' })
}
