import * as z from 'zod/mini'
import { CartSnapshot } from './commerce/cart-snapshot.js'
import { CommerceEvent } from './commerce/commerce-event.js'
import { PageSnapshot } from './commerce/page-snapshot.js'
import { ContextUpdate, ContextView, IdentifyRequest, IdentifyResult } from './context.js'
import { ConversationSummary, InboxSignal } from './conversation.js'
import { ConsentUpdate, InitOptions, PageViewInput } from './host-api.js'
import { hostEventSchemas } from './host-events.js'
import { ChatItem, MessageInput, TypingInput, TypingSignal } from './message.js'
import { RuleMatch } from './rules/explanation.js'
import { RuleSet } from './rules/rule.js'

/**
 * The schemas published as JSON Schema in `docs/schemas/`, for other languages (a shop's backend
 * in PHP or Python, a bot). Generated from the zod schemas by `npm run schemas`; a test fails
 * when the files are not current. Not exported from the package index: the browser never
 * loads it.
 */
export const publishedSchemas: ReadonlyArray<readonly [name: string, schema: z.ZodMiniType]> = [
  ['message-input', MessageInput],
  ['chat-item', ChatItem],
  ['typing-input', TypingInput],
  ['typing-signal', TypingSignal],
  ['conversation-summary', ConversationSummary],
  ['inbox-signal', InboxSignal],
  ['commerce-event', CommerceEvent],
  ['cart-snapshot', CartSnapshot],
  ['page-snapshot', PageSnapshot],
  ['context-update', ContextUpdate],
  ['context-view', ContextView],
  ['identify-request', IdentifyRequest],
  ['identify-result', IdentifyResult],
  ['rule-set', RuleSet],
  ['rule-match', RuleMatch],
  ['host-init-options', InitOptions],
  ['host-page-view', PageViewInput],
  ['host-consent', ConsentUpdate],
  ...Object.entries(hostEventSchemas).map(
    ([name, schema]) => [`host-event-${name.replace(':', '-')}`, schema] as const,
  ),
]

/** Each published schema as a JSON Schema (draft 2020-12) document, keyed by file name. */
export function jsonSchemas(): ReadonlyMap<string, string> {
  const files = new Map<string, string>()
  for (const [name, schema] of publishedSchemas) {
    const document = z.toJSONSchema(schema, {
      // What a sender may send: inputs before defaults and transforms are applied.
      io: 'input',
      // Custom checks (byte caps, reserved keys) have no JSON Schema form; they stay documented.
      unrepresentable: 'any',
      // The condition tree is built level by level (depth bounded by construction): shared
      // subschemas become $defs instead of being repeated at every level.
      reused: 'ref',
    })
    const withId = {
      $id: `https://causette.dev/schemas/${name}.json`,
      title: name,
      ...document,
    }
    files.set(`${name}.json`, `${JSON.stringify(withId, null, 2)}\n`)
  }
  return files
}
