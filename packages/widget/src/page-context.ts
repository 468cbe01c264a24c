import { commerceLimits, type PageSnapshot, type PageViewInput } from '@causette/events'

/** The page as it was when a host call was made; the snippet captures the same three fields. */
export interface PageContext {
  readonly url: string
  readonly title: string
  readonly referrer: string
}

/** The page context now. */
export function capturePageContext(doc: Document = document): PageContext {
  return { url: doc.location?.href ?? '', title: doc.title, referrer: doc.referrer }
}

/** Keeps what came from a queue entry only if it has the captured shape. */
export function asPageContext(value: unknown): PageContext | undefined {
  const v = value as Partial<Record<keyof PageContext, unknown>> | null | undefined
  return typeof v?.url === 'string' && typeof v.title === 'string' && typeof v.referrer === 'string'
    ? { url: v.url, title: v.title, referrer: v.referrer }
    : undefined
}

const cut = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text)

/**
 * The page view of a call, without schemas (the loader has none): url, path, title and referrer
 * from the host's input over the page captured with the call. A page that is no http(s) page
 * (about:blank, a file) or whose URL is over `commerceLimits.urlMax` has none. The
 * personalisation chunk checks the result against the PageSnapshot schema (page-snapshot.ts).
 */
export function basicPageSnapshot(
  context: PageContext,
  input: Pick<PageViewInput, 'url' | 'title' | 'referrer'> = {},
): PageSnapshot | undefined {
  const url = input.url ?? context.url
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  if (!/^https?:$/.test(parsed.protocol) || url.length > commerceLimits.urlMax) return undefined
  const title = (input.title ?? context.title).trim()
  const referrer = input.referrer ?? context.referrer
  return {
    url,
    path: cut(parsed.pathname, commerceLimits.urlMax),
    ...(title ? { title: cut(title, commerceLimits.stringMax) } : {}),
    ...(referrer ? { referrer: cut(referrer, commerceLimits.urlMax) } : {}),
  }
}
