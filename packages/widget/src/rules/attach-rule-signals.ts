import type { RuleRunner } from './create-rule-runner.js'

export interface RuleSignalOptions {
  /** Least time between two activity reports, in ms. @default 1000 */
  readonly throttleMs?: number
  /** Clock for the throttle. @default performance.now of the window */
  readonly now?: () => number
}

const activityEvents = ['pointerdown', 'pointermove', 'keydown', 'scroll', 'wheel', 'touchstart']

/**
 * Feeds a runner from the page: tab visibility, pointer/keyboard/scroll activity (passive,
 * throttled) and exit intent (the mouse leaving through the top edge; desktop only, touch
 * devices get no exit intent). Returns a function that removes every listener it added.
 */
export function attachRuleSignals(
  runner: RuleRunner,
  win: Window,
  options: RuleSignalOptions = {},
): () => void {
  const doc = win.document
  const throttleMs = options.throttleMs ?? 1000
  const now = options.now ?? (() => win.performance.now())
  let last = Number.NEGATIVE_INFINITY
  const onActivity = () => {
    const t = now()
    if (t - last < throttleMs) return
    last = t
    runner.activity()
  }
  const onVisibility = () => runner.setHidden(doc.visibilityState === 'hidden')
  const onMouseOut = (event: MouseEvent) => {
    // relatedTarget null: the pointer left the document, not just an element; clientY <= 0: by the top.
    if (event.relatedTarget === null && event.clientY <= 0) runner.exitIntent()
  }
  const passive: AddEventListenerOptions = { passive: true, capture: true }
  for (const type of activityEvents) win.addEventListener(type, onActivity, passive)
  doc.addEventListener('visibilitychange', onVisibility)
  doc.addEventListener('mouseout', onMouseOut, passive)
  onVisibility()
  return () => {
    for (const type of activityEvents) win.removeEventListener(type, onActivity, passive)
    doc.removeEventListener('visibilitychange', onVisibility)
    doc.removeEventListener('mouseout', onMouseOut, passive)
  }
}
