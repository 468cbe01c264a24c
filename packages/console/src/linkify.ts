export type TextSegment =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'link'; readonly text: string; readonly href: string }

/** The only schemes a message may link to (DESIGN.md: messages render as text only). */
export const linkProtocols: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:'])

/** The schemes of a page address: what a visitor's page or product may link to. */
export const webProtocols: ReadonlySet<string> = new Set(['http:', 'https:'])

const candidates = /\b(?:https?:\/\/|mailto:)[^\s<>"]+/gi
// Punctuation that ends a sentence rather than a URL: "see https://example.com."
const trailing = /[.,;:!?'")\]]+$/

/**
 * Splits message text into plain text and links, for rendering as text nodes and anchors.
 * Only http, https and mailto URLs that parse become links; everything else stays text.
 */
export function linkify(text: string): readonly TextSegment[] {
  const segments: TextSegment[] = []
  let last = 0
  for (const match of text.matchAll(candidates)) {
    const start = match.index
    const raw = match[0].replace(trailing, '')
    const href = safeHref(raw)
    if (href === undefined) continue
    if (start > last) segments.push({ type: 'text', text: text.slice(last, start) })
    segments.push({ type: 'link', text: raw, href })
    last = start + raw.length
  }
  if (last < text.length) segments.push({ type: 'text', text: text.slice(last) })
  return segments
}

/** The normalised URL when `candidate` parses as an absolute URL of one of `protocols`. */
export function safeHref(
  candidate: string,
  protocols: ReadonlySet<string> = linkProtocols,
): string | undefined {
  try {
    const url = new URL(candidate)
    return protocols.has(url.protocol) ? url.href : undefined
  } catch {
    return undefined
  }
}
