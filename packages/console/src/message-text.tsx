import { linkify } from './linkify.js'

/** Message text as text nodes, with http, https and mailto URLs as links. Never HTML. */
export function MessageText({ text }: { text: string }) {
  return (
    <p class="message-text">
      {linkify(text).map((segment, index) =>
        segment.type === 'link' ? (
          <a key={index} href={segment.href} target="_blank" rel="noopener noreferrer nofollow">
            {segment.text}
          </a>
        ) : (
          segment.text
        ),
      )}
    </p>
  )
}
