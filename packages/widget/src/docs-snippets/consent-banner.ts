import type { Widget } from '@causette/widget'

declare const widget: Widget
declare const banner: {
  onChoice(listener: (choice: { functional: boolean; analytics: boolean }) => void): void
}

// Nothing is stored and nothing is sent until the visitor says yes.
await widget.init({ consent: 'required', forward: { dataLayer: true } })

banner.onChoice(({ functional, analytics }) => {
  void widget.consent({
    functionality_storage: functional ? 'granted' : 'denied',
    analytics_storage: analytics ? 'granted' : 'denied',
  })
})
