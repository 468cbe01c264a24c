import type { ComponentChildren } from 'preact'
import { safeHref, webProtocols } from './linkify.js'

export interface ExternalLinkProps {
  /** An untrusted address: it becomes a link only if it is an absolute URL of `protocols`. */
  readonly url: string
  /** @default webProtocols (http and https) */
  readonly protocols?: ReadonlySet<string>
  /** What the link reads; the address itself when absent. */
  readonly children?: ComponentChildren
}

/**
 * A link that opens in a new tab without handing the console to the page it opens, or plain
 * text when the address is not one of `protocols` (a `javascript:` URL never becomes a link).
 */
export function ExternalLink({ url, protocols = webProtocols, children }: ExternalLinkProps) {
  const href = safeHref(url, protocols)
  const text = children ?? url
  if (href === undefined) return <span class="unlinked">{text}</span>
  return (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {text}
    </a>
  )
}
