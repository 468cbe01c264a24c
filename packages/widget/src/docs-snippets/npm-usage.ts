import { createWidget } from '@causette/widget'

const widget = createWidget({ siteId: 'demo', serverUrl: 'https://chat.example.com' })

widget.on('message:received', ({ text, author }) => {
  console.log(`${author.name ?? 'The shop'}: ${text}`)
})

await widget.init({ title: 'Questions? Ask us' })
await widget.set('visitor', { plan: 'gold', orders: 12 })
await widget.track('Product Viewed', { product_id: 'P-42', price: '31.10', currency: 'eur' })
