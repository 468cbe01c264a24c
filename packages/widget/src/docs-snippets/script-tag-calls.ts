import type { CausetteGlobal } from '@causette/widget'

// What the snippet defines on the page, typed: `window.Causette`.
declare const Causette: CausetteGlobal

Causette('set', 'session', { campaign: 'spring-sale' })
Causette('page', { type: 'product', product: { product_id: 'P-42', name: 'Plum vase' } })
Causette('track', 'add_to_cart', {
  currency: 'EUR',
  value: 112,
  items: [{ item_id: 'P-42', item_name: 'Plum vase', price: '112.00', quantity: 1 }],
})
Causette('on', 'conversation:started', ({ conversationId }) => {
  console.log('conversation', conversationId)
})
