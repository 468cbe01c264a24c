import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  ContextValues,
  checkHost,
  checkHostCall,
  decodeHost,
  decodeHostCall,
  HostErrorCodes,
  hostChecks,
  hostCommandArgs,
  hostCommands,
  hostLimits,
  IdentityToken,
  ProactiveMessage,
  RuleMatchInput,
  TrackName,
  TrackProperties,
} from './host-api.js'
import { hostEventNames } from './host-events.js'

const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'
const noop = () => undefined

/** Values near the edges the rules care about, and plain junk. */
const edgeString = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom(
    '',
    '  ',
    'plan',
    'Plan_2',
    '9lives',
    'a-b',
    'constructor',
    'prototype',
    '__proto__',
    'visitor',
    'page',
    'granted',
    'denied',
    'required',
    'ready',
    'message:received',
    'nope',
    'https://shop.test/p/1?x=1',
    'http://shop.test',
    'ftp://shop.test',
    'javascript:alert(1)',
    '/relative',
    'eur',
    'EUR',
    'euro',
    jwt,
    'a.b',
    'a.b.c.d',
  ),
  fc
    .constantFrom(64, 65, 80, 81, 100, 101, 200, 201, 300, 301, 500, 501, 1000, 1001, 4000, 4001)
    .map((n) => 'k'.repeat(n)),
  fc.constantFrom(2048, 2049).map((n) => `https://shop.test/${'p'.repeat(n - 18)}`),
  fc.constantFrom(4096, 4097).map((n) => `${jwt}${'x'.repeat(n - jwt.length)}`),
)
const primitive = fc.oneof(
  edgeString,
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 31.1),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant(noop),
)
const key = fc.oneof(
  fc.constantFrom('plan', 'tier', 'Cart_1', 'x', 'url', 'title', 'type', 'product', 'product_id'),
  fc.constantFrom('price', 'currency', 'sku', 'consent', 'forward', 'segment', 'dataLayer'),
  fc.constantFrom('trackPages', 'ad_storage', 'analytics_storage', 'functionality_storage'),
  fc.constantFrom('text', 'author', 'rule_id', 'constructor', '9x', 'a b', 'k'.repeat(65)),
)
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    fc.constant(JSON.parse('{"__proto__": 1}')),
    fc.constant({ a: { b: { c: { d: { e: { f: 1 } } } } } }),
    fc.constant(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]))),
    fc.constant({ big: 'x'.repeat(hostLimits.propertiesBytes) }),
    fc.constant(new Date(0)),
  ),
}))

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, value)
const contextValue = fc.oneof(edgeString, fc.double(), fc.boolean(), fc.constant(null))
const url = fc.constantFrom('https://shop.test/p/1', 'http://shop.test', 'ftp://x', 'nope')
/** Arguments close to valid for each command, so that the agreement is tested on both sides. */
const nearValid: Record<string, fc.Arbitrary<unknown[]>> = {
  init: fc.tuple(
    fc.option(
      fc.record(
        {
          consent: maybe(fc.constantFrom('required', 'not_required')),
          title: edgeString,
          forward: maybe(
            fc.record(
              { segment: fc.boolean(), dataLayer: maybe(fc.boolean()) },
              { requiredKeys: [] },
            ),
          ),
          trackPages: maybe(fc.boolean()),
        },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    ),
  ),
  identify: fc.tuple(fc.oneof(edgeString, fc.constant(noop), fc.constant(jwt))),
  set: fc.tuple(
    fc.constantFrom('visitor', 'session', 'page', 'conversation', 'galaxy'),
    fc.oneof(fc.dictionary(key, contextValue, { maxKeys: 6 }), value),
  ),
  page: fc.tuple(
    fc.option(
      fc.record(
        {
          url,
          title: edgeString,
          referrer: edgeString,
          type: fc.constantFrom('home', 'product', 'checkout', 'blog'),
          product: maybe(
            fc.record(
              {
                product_id: edgeString,
                name: edgeString,
                price: fc.oneof(fc.double(), fc.constant('31.10')),
                currency: fc.constantFrom('eur', 'USD', 'euro', ''),
                url,
                extra: fc.string(),
              },
              { requiredKeys: ['product_id'] },
            ),
          ),
        },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    ),
  ),
  prefill: fc.tuple(edgeString),
  on: fc.tuple(fc.constantFrom(...hostEventNames, 'nope'), maybe(fc.constant(noop))),
  once: fc.tuple(fc.constantFrom('ready', 'error'), fc.constant(noop)),
  off: fc.tuple(
    fc.constantFrom(...hostEventNames, 'nope'),
    fc.option(fc.constant(noop), { nil: undefined }),
  ),
  consent: fc.tuple(
    fc.dictionary(
      fc.constantFrom('ad_storage', 'analytics_storage', 'functionality_storage', 'analytics'),
      fc.constantFrom('granted', 'denied', 'yes'),
      { maxKeys: 3 },
    ),
  ),
}

describe('the loader checker agrees with the reference schemas', () => {
  test('for every command: same verdict, same code, same message, same value', () => {
    const call = fc
      .constantFrom(...hostCommands, 'bogus', 'toString', '__proto__')
      .chain((command) =>
        fc.tuple(
          fc.constant(command),
          fc.oneof(
            fc.array(value, { maxLength: 3 }),
            Object.hasOwn(nearValid, command)
              ? (nearValid[command] as fc.Arbitrary<unknown[]>)
              : fc.constant([]),
          ),
        ),
      )
    fc.assert(
      fc.property(call, ([command, args]) => {
        const checked = checkHostCall(command, args)
        const decoded = decodeHostCall(command, args)
        expect(checked.ok).toBe(decoded.ok)
        if (checked.ok && decoded.ok) expect(checked.value).toEqual(decoded.value)
        if (!checked.ok && !decoded.ok) {
          expect(checked.code).toBe(decoded.code)
          expect(checked.message).toBe(decoded.message)
        }
      }),
      { numRuns: 1_000 },
    )
  })

  test('for the checks the widget runs on its own', () => {
    const pairs = [
      [hostChecks.contextValues, ContextValues],
      [hostChecks.identityToken, IdentityToken],
      [hostChecks.proactiveMessage, ProactiveMessage],
      [hostChecks.ruleMatch, RuleMatchInput],
      [hostChecks.trackName, TrackName],
      [hostChecks.trackProperties, TrackProperties],
    ] as const
    fc.assert(
      fc.property(fc.constantFrom(...pairs), value, ([check, schema], input) => {
        const checked = checkHost(check as never, input)
        const decoded = decodeHost(schema, input)
        expect({ ok: checked.ok, code: checked.ok ? undefined : checked.code }).toEqual({
          ok: decoded.ok,
          code: decoded.ok ? undefined : decoded.code,
        })
        if (checked.ok && decoded.ok) expect(checked.value).toEqual(decoded.value)
        if (!checked.ok && !decoded.ok) expect(checked.message).toBe(decoded.message)
      }),
      { numRuns: 600 },
    )
  })

  test('both list the same commands', () => {
    expect(Object.keys(hostCommandArgs).sort()).toEqual([...hostCommands].sort())
  })
})

describe('typed errors for host input', () => {
  const fails = (command: string, args: unknown[]) => {
    const result = checkHostCall(command, args)
    if (result.ok) throw new Error(`${command} was accepted`)
    return { code: result.code, message: result.message }
  }

  test('unknown commands and extra arguments are invalid_argument', () => {
    expect(fails('boot', [])).toEqual({
      code: 'invalid_argument',
      message: 'unknown command "boot"',
    })
    expect(fails('toString', []).code).toBe('invalid_argument')
    expect(fails(42 as never, []).message).toBe('unknown command "number"')
    expect(fails('open', [1])).toEqual({
      code: 'invalid_argument',
      message: 'open: takes at most 0 arguments, got 1',
    })
  })

  test('every limit answers limit_exceeded, with the argument and path in the message', () => {
    const cases: Array<[string, unknown[], string]> = [
      [
        'set',
        ['visitor', { ['k'.repeat(65)]: 1 }],
        `set(values).${'k'.repeat(65)}: must be at most 64 characters`,
      ],
      [
        'set',
        ['visitor', Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]))],
        'set(values): more than 50 keys',
      ],
      [
        'set',
        ['session', { note: 'x'.repeat(1_001) }],
        'set(values).note: must be at most 1000 characters',
      ],
      [
        'identify',
        [`${jwt}${'x'.repeat(4_097 - jwt.length)}`],
        'identify(token): must be at most 4096 characters',
      ],
      [
        'page',
        [{ url: `https://shop.test/${'p'.repeat(2_040)}` }],
        'page(page).url: must be at most 2048 characters',
      ],
      ['page', [{ title: 't'.repeat(301) }], 'page(page).title: must be at most 300 characters'],
      [
        'page',
        [{ product: { product_id: 'p'.repeat(201) } }],
        'page(page).product.product_id: must be at most 200 characters',
      ],
      ['prefill', ['x'.repeat(4_001)], 'prefill(text): must be at most 4000 characters'],
      ['init', [{ title: 't'.repeat(81) }], 'init(options).title: must be at most 80 characters'],
    ]
    for (const [command, args, message] of cases) {
      expect(fails(command, args)).toEqual({ code: 'limit_exceeded', message })
    }
    expect(checkHost(hostChecks.trackName, 'e'.repeat(101), 'track(event)')).toEqual({
      ok: false,
      code: 'limit_exceeded',
      message: 'track(event): must be at most 100 characters',
    })
    expect(checkHost(hostChecks.trackProperties, { big: 'x'.repeat(8_192) }, 'p')).toMatchObject({
      code: 'limit_exceeded',
      message: 'p: larger than 8192 bytes as JSON',
    })
    expect(checkHost(hostChecks.ruleMatch, { big: 'x'.repeat(16_384) }, 'match')).toMatchObject({
      code: 'limit_exceeded',
    })
    expect(checkHost(hostChecks.proactiveMessage, { text: 'x'.repeat(501) }, 'm')).toMatchObject({
      code: 'limit_exceeded',
      message: 'm.text: must be at most 500 characters',
    })
  })

  test('reserved names are refused everywhere a key is accepted, also as JSON __proto__', () => {
    expect(fails('set', ['visitor', { constructor: 1 }])).toEqual({
      code: 'invalid_argument',
      message: 'set(values).constructor: is a reserved name',
    })
    expect(fails('set', ['visitor', JSON.parse('{"__proto__": {"admin": true}}')]).message).toBe(
      'set(values): expected an object without __proto__',
    )
    const nested = JSON.parse('{"items": [{"__proto__": {"x": 1}}]}')
    expect(checkHost(hostChecks.trackProperties, nested, 'p')).toMatchObject({
      code: 'invalid_argument',
      message: 'p.items.0.__proto__: is a reserved name',
    })
    expect(checkHost(hostChecks.trackProperties, { a: { prototype: 1 } }, 'p')).toMatchObject({
      message: 'p.a.prototype: is a reserved name',
    })
  })

  test('malformed values are invalid_argument and say what was expected', () => {
    expect(fails('set', ['galaxy', {}]).message).toBe(
      'set(scope): expected one of "visitor", "session", "page", "conversation"',
    )
    expect(fails('set', ['page', { '9lives': 1 }]).message).toBe(
      'set(values).9lives: expected a letter, then letters, digits or _',
    )
    expect(fails('set', ['page', { n: Number.POSITIVE_INFINITY }]).message).toBe(
      'set(values).n: expected a string, a finite number, a boolean or null',
    )
    expect(fails('identify', [42]).message).toBe(
      'identify(token): expected a JWT string or a function that returns one',
    )
    expect(fails('identify', ['not-a-jwt']).message).toBe(
      'identify(token): expected a JWT (header.payload.signature)',
    )
    expect(fails('page', [{ url: 'javascript:alert(1)' }]).message).toBe(
      'page(page).url: expected an absolute http(s) URL',
    )
    expect(fails('consent', [{ ad_storage: 'yes' }]).message).toBe(
      'consent(categories).ad_storage: expected one of "granted", "denied"',
    )
    expect(fails('consent', [{ analytics: 'granted' }]).message).toBe(
      'consent(categories): unknown key "analytics"',
    )
    expect(fails('on', ['mesage:received', noop]).message).toBe(
      `on(event): expected one of ${hostEventNames.map((n) => JSON.stringify(n)).join(', ')}`,
    )
    expect(fails('on', ['ready', 'handler']).message).toBe('on(handler): expected a function')
    expect(fails('init', [{ consent: 'maybe' }]).code).toBe('invalid_argument')
    expect(checkHost(hostChecks.trackProperties, { n: Number.NaN }, 'p')).toMatchObject({
      message: 'p.n: expected a finite number',
    })
    expect(checkHost(hostChecks.trackProperties, { d: new Date(0) }, 'p')).toMatchObject({
      code: 'invalid_argument',
    })
    expect(
      checkHost(hostChecks.trackProperties, { a: { b: { c: { d: { e: { f: 1 } } } } } }, 'p'),
    ).toMatchObject({ message: 'p.a.b.c.d.e: nested deeper than 5 levels' })
  })

  test('valid calls come back trimmed and normalized', () => {
    expect(
      checkHostCall('page', [{ product: { product_id: ' 42 ', currency: 'eur', price: 31.1 } }]),
    ).toEqual({
      ok: true,
      value: {
        command: 'page',
        args: [{ product: { product_id: '42', currency: 'EUR', price: 31.1 } }],
      },
    })
    expect(checkHostCall('init', [{ title: '  Help  ' }])).toEqual({
      ok: true,
      value: { command: 'init', args: [{ title: 'Help' }] },
    })
  })

  test('every error code says whether to retry', () => {
    for (const { retryable } of Object.values(HostErrorCodes))
      expect(typeof retryable).toBe('boolean')
  })
})
