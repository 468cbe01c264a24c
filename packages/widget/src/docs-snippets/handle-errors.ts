import { CausetteError, createWidget } from '@causette/widget'

const widget = createWidget({ siteId: 'demo', serverUrl: 'https://chat.example.com' })
await widget.init()

try {
  await widget.set('visitor', { favourite_colour: 'plum' })
  await widget.open()
} catch (error) {
  if (error instanceof CausetteError && error.code === 'consent_required') {
    console.info('Chat is off until the visitor allows it')
  } else if (error instanceof CausetteError && error.retryable) {
    console.warn('Try again later:', error.message)
  } else {
    throw error
  }
}
