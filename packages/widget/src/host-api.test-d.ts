// Type tests of the host API, checked by `npx tsc -p tsconfig.json` (never run).
import type { HostEvents, RuleMatch, TrackEvent } from '@causette/events'
import { expectTypeOf } from 'vitest'
import {
  type CausetteError,
  type CausetteGlobal,
  createWidget,
  type IdentifyResult,
  type PageSnapshot,
  type Unsubscribe,
} from './index.js'

const widget = createWidget({ siteId: 'demo', serverUrl: 'https://chat.example.com' })

// `on` gives each handler the payload of its event.
widget.on('message:received', (payload) => {
  expectTypeOf(payload).toEqualTypeOf<HostEvents['message:received']>()
  expectTypeOf(payload.text).toBeString()
  expectTypeOf(payload.seq).toBeNumber()
  expectTypeOf(payload.author.role).toEqualTypeOf<'agent' | 'system'>()
  expectTypeOf(payload.author.name).toEqualTypeOf<string | undefined>()
})
widget.on('unread', ({ count }) => expectTypeOf(count).toBeNumber())
widget.on('conversation:started', ({ trigger }) => {
  expectTypeOf(trigger).toEqualTypeOf<RuleMatch | null>()
})
widget.on('error', ({ code }) => expectTypeOf(code).toEqualTypeOf<CausetteError['code']>())
widget.once('open', ({ source }) => {
  expectTypeOf(source).toEqualTypeOf<'api' | 'launcher' | 'proactive'>()
})
expectTypeOf(widget.on('ready', () => undefined)).toEqualTypeOf<Unsubscribe>()

// @ts-expect-error: there is no such event
widget.on('message:recieved', () => undefined)
// @ts-expect-error: `count` is a number, not a string
widget.on('unread', (payload: { count: string }) => payload)
// @ts-expect-error: the payload of `open` has no `text`
widget.on('open', ({ text }) => text)
// @ts-expect-error: off takes an event name
widget.off('nope')

// Commands: arguments and results.
expectTypeOf(widget.identify('a.b.c')).resolves.toEqualTypeOf<IdentifyResult>()
expectTypeOf(widget.page()).resolves.toEqualTypeOf<PageSnapshot>()
expectTypeOf(widget.track('Product Viewed', { product_id: 'p1' })).resolves.toEqualTypeOf<
  readonly TrackEvent[]
>()
expectTypeOf(widget.toggle()).resolves.toBeBoolean()
void widget.identify(async () => 'a.b.c')
void widget.set('visitor', { plan: 'gold', orders: 3, vip: true, coupon: null })

// @ts-expect-error: no such scope
void widget.set('galaxy', { plan: 'gold' })
// @ts-expect-error: context values are primitives
void widget.set('visitor', { address: { city: 'Lyon' } })
// @ts-expect-error: consent values are 'granted' or 'denied'
void widget.consent({ analytics_storage: 'yes' })
// @ts-expect-error: not a consent category
void widget.consent({ analytics: 'granted' })
// @ts-expect-error: a provider returns a token
void widget.identify(async () => 42)
// @ts-expect-error: no such option
void widget.init({ colour: 'red' })

// The script tag's global: the same commands, every one a promise.
declare const Causette: CausetteGlobal
expectTypeOf(Causette('open')).resolves.toBeVoid()
expectTypeOf(Causette('toggle')).resolves.toBeBoolean()
expectTypeOf(
  Causette('on', 'message:sent', ({ messageId }) => messageId),
).resolves.toEqualTypeOf<Unsubscribe>()
Causette('on', 'proactive:dismissed', (payload) => {
  expectTypeOf(payload.via).toEqualTypeOf<'button' | 'escape' | 'replaced'>()
})
// @ts-expect-error: not a command
void Causette('boot')
// @ts-expect-error: no such event
void Causette('on', 'messages', () => undefined)
// @ts-expect-error: wrong property type in the payload
void Causette('on', 'unread', ({ count }: { count: string }) => count)
// @ts-expect-error: set needs a scope and values
void Causette('set', 'visitor')
