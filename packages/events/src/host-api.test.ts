import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { contextLimits } from './context.js'
import { decodeHost, decodeHostCall, hostCommandArgs, ProactiveMessage } from './host-api.js'
import { HostErrorCodes, hostCommands, hostEventNames } from './host-names.js'

const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'
const noop = () => undefined

function fails(command: unknown, args: unknown[]) {
  const result = decodeHostCall(command, args)
  if (result.ok) throw new Error(`${String(command)} was accepted`)
  return { code: result.code, message: result.message }
}

describe('decodeHostCall', () => {
  test('knows every command, and only those', () => {
    expect(Object.keys(hostCommandArgs).sort()).toEqual([...hostCommands].sort())
    expect(fails('boot', [])).toEqual({
      code: 'invalid_argument',
      message: 'unknown command "boot"',
    })
    expect(fails('toString', []).code).toBe('invalid_argument')
    expect(fails('__proto__', []).code).toBe('invalid_argument')
    expect(fails(42, []).message).toBe('unknown command "number"')
    expect(fails('open', [1])).toEqual({
      code: 'invalid_argument',
      message: 'open: takes at most 0 arguments, got 1',
    })
  })

  test('never throws, and every refusal is typed and names the command', () => {
    const junk = fc.oneof(
      fc.anything(),
      fc.constant(JSON.parse('{"__proto__": {"admin": true}}')),
      fc.constant(noop),
      fc.constant(Number.NaN),
    )
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...hostCommands), fc.string()),
        fc.array(junk, { maxLength: 3 }),
        (command, args) => {
          const result = decodeHostCall(command, args)
          if (result.ok) return
          expect(['invalid_argument', 'limit_exceeded']).toContain(result.code)
          expect(result.message.startsWith(command) || result.message.startsWith('unknown')).toBe(
            true,
          )
        },
      ),
      { numRuns: 500 },
    )
  })

  test('every limit answers limit_exceeded, with the argument and the path', () => {
    const cases: Array<[string, unknown[], string]> = [
      [
        'set',
        ['visitor', { ['k'.repeat(65)]: 1 }],
        `set(values).${'k'.repeat(65)}: must be at most 64 characters`,
      ],
      [
        'set',
        ['visitor', Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]))],
        'set(values): at most 50 keys',
      ],
      [
        'set',
        ['session', { note: 'x'.repeat(contextLimits.stringValueMax + 1) }],
        'set(values).note: must be at most 512 characters',
      ],
      [
        'identify',
        [`${jwt}${'x'.repeat(8_193 - jwt.length)}`],
        'identify(token): must be at most 8192 characters',
      ],
      [
        'page',
        [{ url: `https://shop.test/${'p'.repeat(2_040)}` }],
        'page(page).url: must be at most 2048 characters',
      ],
      ['page', [{ title: 't'.repeat(513) }], 'page(page).title: must be at most 512 characters'],
      ['prefill', ['x'.repeat(4_001)], 'prefill(text): must be at most 4000 characters'],
      ['init', [{ title: 't'.repeat(81) }], 'init(options).title: must be at most 80 characters'],
    ]
    for (const [command, args, message] of cases) {
      expect(fails(command, args)).toEqual({ code: 'limit_exceeded', message })
    }
    expect(decodeHost(ProactiveMessage, { text: 'x'.repeat(501) }, 'message')).toEqual({
      ok: false,
      code: 'limit_exceeded',
      message: 'message.text: must be at most 500 characters',
    })
  })

  test('reserved names are refused wherever a key is accepted, JSON __proto__ included', () => {
    expect(fails('set', ['visitor', { constructor: 1 }])).toEqual({
      code: 'invalid_argument',
      message: 'set(values).constructor: reserved key',
    })
    expect(fails('set', ['visitor', JSON.parse('{"__proto__": {"admin": true}}')])).toEqual({
      code: 'invalid_argument',
      message: 'set(values): __proto__ is a reserved key',
    })
  })

  test('malformed values are invalid_argument and say what was expected', () => {
    expect(fails('set', ['galaxy', {}]).message).toBe(
      'set(scope): expected one of "visitor", "session", "page", "conversation"',
    )
    expect(fails('set', ['page', { '9lives': 1 }]).message).toBe(
      'set(values).9lives: expected a letter, then letters, digits or _',
    )
    expect(fails('set', ['page', { n: Number.POSITIVE_INFINITY }]).code).toBe('invalid_argument')
    expect(fails('identify', [42]).message).toBe(
      'identify(token): expected a JWT string or a function that returns one',
    )
    expect(fails('identify', ['not-a-jwt']).message).toBe(
      'identify(token): expected a JWT (header.payload.signature)',
    )
    expect(fails('page', [{ url: 'javascript:alert(1)' }]).code).toBe('invalid_argument')
    expect(fails('page', [{ product: { product_id: '42', price: 10 } }]).message).toBe(
      'page(page).product.currency: required when an amount is given',
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
  })

  test('valid calls come back trimmed and normalized, money exact', () => {
    expect(
      decodeHostCall('page', [
        { product: { product_id: 42, price: '31.10', currency: 'eur' }, type: 'product' },
      ]),
    ).toEqual({
      ok: true,
      value: {
        command: 'page',
        args: [{ product: { product_id: '42', price: 31.1, currency: 'EUR' }, type: 'product' }],
      },
    })
    expect(decodeHostCall('init', [{ title: '  Help  ' }])).toEqual({
      ok: true,
      value: { command: 'init', args: [{ title: 'Help' }] },
    })
    expect(decodeHostCall('identify', [noop])).toMatchObject({ ok: true })
  })

  test('every error code says whether to retry', () => {
    for (const { retryable } of Object.values(HostErrorCodes)) {
      expect(typeof retryable).toBe('boolean')
    }
  })
})
