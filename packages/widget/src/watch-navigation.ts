import type { Timers } from '@causette/transport'

/** The part of the Navigation API the widget listens to. */
export interface NavigationLike {
  addEventListener(type: 'navigate', listener: (event: NavigateEventLike) => void): void
  removeEventListener(type: 'navigate', listener: (event: NavigateEventLike) => void): void
}

export interface NavigateEventLike {
  readonly destination?: { readonly sameDocument?: boolean }
}

/** What the widget listens on for single-page-app navigations; `window` and `navigation` fit. */
export interface NavigationTargets {
  /** The Navigation API, where the browser has it. */
  readonly navigation?: NavigationLike | undefined
  /** For `popstate` and `hashchange` where it does not. */
  readonly window?: Pick<Window, 'addEventListener' | 'removeEventListener'> | undefined
}

/**
 * Calls `onNavigate` after each same-document navigation: the Navigation API's `navigate` event
 * where present (it also sees `history.pushState`), else `popstate` and `hashchange`. The host's
 * `history` is never patched. The call waits a moment so that the router has set the new title.
 */
export function watchNavigation(
  targets: NavigationTargets,
  onNavigate: () => void,
  timers: Timers,
  settleMs = 50,
): () => void {
  let timer: unknown
  const later = () => {
    timers.clearTimeout(timer)
    timer = timers.setTimeout(onNavigate, settleMs)
  }
  const { navigation, window: win } = targets
  if (navigation) {
    const listener = (event: NavigateEventLike) => {
      // A cross-document navigation unloads the page; the next page's loader records it.
      if (event.destination?.sameDocument !== false) later()
    }
    navigation.addEventListener('navigate', listener)
    return () => {
      timers.clearTimeout(timer)
      navigation.removeEventListener('navigate', listener)
    }
  }
  win?.addEventListener('popstate', later)
  win?.addEventListener('hashchange', later)
  return () => {
    timers.clearTimeout(timer)
    win?.removeEventListener('popstate', later)
    win?.removeEventListener('hashchange', later)
  }
}
