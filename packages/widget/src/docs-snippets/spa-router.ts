import type { PageViewInput, Widget } from '@causette/widget'

declare const widget: Widget
declare const router: {
  afterEach(hook: (to: { meta: { pageType?: PageViewInput['type'] } }) => void): void
}

// Navigations are seen on their own (the Navigation API, else popstate and hashchange); a call
// after each route change adds what only the app knows, such as the page's type.
router.afterEach((to) => {
  void widget.page({ type: to.meta.pageType ?? 'other' })
})
