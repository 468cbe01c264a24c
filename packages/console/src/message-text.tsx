import { ExternalLink } from './external-link.js'
import { linkify, linkProtocols } from './linkify.js'

/** Message text as text nodes, with http, https and mailto URLs as links. Never HTML. */
export function MessageText({ text }: { text: string }) {
  return (
    <p class="message-text">
      {linkify(text).map((segment, index) =>
        segment.type === 'link' ? (
          <ExternalLink key={index} url={segment.href} protocols={linkProtocols}>
            {segment.text}
          </ExternalLink>
        ) : (
          segment.text
        ),
      )}
    </p>
  )
}
