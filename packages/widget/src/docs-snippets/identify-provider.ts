import type { Widget } from '@causette/widget'

declare const widget: Widget

// The shop's backend mints a short-lived JWT for the signed-in customer (docs/identity.md).
// The widget asks again shortly before it expires, and once more after `identity_expired`.
const result = await widget.identify(async () => {
  const response = await fetch('/account/chat-token', { credentials: 'same-origin' })
  return response.text()
})

if (result.status === 'verified') console.log('verified claims', result.verified)
else console.log('verified once', result.until === 'init' ? 'init() has run' : 'consent is given')
