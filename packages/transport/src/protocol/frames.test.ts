import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  type ClientFrame,
  decodeClientFrame,
  decodeServerFrame,
  encodeFrame,
  type ServerFrame,
} from './frames.js'

describe('frame codec', () => {
  test('valid client frames round-trip', () => {
    const frames: ClientFrame[] = [
      { t: 'hello', v: 1, auth: 'tok', cursors: { 'conv:1': 3 } },
      { t: 'hello', v: 1, cursors: {} },
      { t: 'sub', cursors: { a: 0 } },
      { t: 'unsub', streams: ['a'] },
      { t: 'send', id: 'x', stream: 'a', body: { any: ['json'] } },
      { t: 'signal', topic: 'a', body: null },
      { t: 'ping', n: 5 },
      { t: 'pong', n: 5 },
    ]
    for (const frame of frames)
      expect(decodeClientFrame(encodeFrame(frame))).toEqual({ ok: true, value: frame })
  })

  test('valid server frames round-trip', () => {
    const frames: ServerFrame[] = [
      { t: 'welcome', heartbeatMs: 25_000, maxFrameBytes: 65_536 },
      { t: 'items', stream: 'a', items: [{ seq: 1, id: 'x', body: 'b' }] },
      { t: 'ack', id: 'x', stream: 'a', seq: 1 },
      { t: 'signal', topic: 't', body: { typing: true } },
      { t: 'error', code: 'rate_limited', message: 'slow down', ref: 'x', retryMs: 500 },
      { t: 'ping', n: 1 },
    ]
    for (const frame of frames)
      expect(decodeServerFrame(encodeFrame(frame))).toEqual({ ok: true, value: frame })
  })

  test.each([
    ['not JSON', '{"t":'],
    ['not an object', '[]'],
    ['unknown type', '{"t":"boom"}'],
    ['negative cursor', '{"t":"hello","v":1,"cursors":{"a":-1}}'],
    ['fractional cursor', '{"t":"sub","cursors":{"a":1.5}}'],
    ['send without body', '{"t":"send","id":"x","stream":"a"}'],
    ['empty stream name', '{"t":"send","id":"x","stream":"","body":1}'],
    ['over-long id', JSON.stringify({ t: 'send', id: 'x'.repeat(201), stream: 'a', body: 1 })],
    [
      'too many streams',
      JSON.stringify({
        t: 'sub',
        cursors: Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`s${i}`, 0])),
      }),
    ],
  ])('rejects %s', (_name, text) => {
    expect(decodeClientFrame(text).ok).toBe(false)
  })

  test('a __proto__ stream name is a plain key and pollutes nothing', () => {
    const result = decodeClientFrame('{"t":"sub","cursors":{"__proto__":1}}')
    expect(result.ok && Object.keys(result.value.t === 'sub' ? result.value.cursors : {})).toEqual([
      '__proto__',
    ])
    expect(({} as Record<string, unknown>)[1]).toBeUndefined()
    expect(Object.getPrototypeOf({})).toBe(Object.prototype)
  })

  test('never throws, whatever it is given (100,000 generated inputs)', () => {
    const jsonish = fc.oneof(
      fc.string(),
      fc.json(),
      fc
        .record({
          t: fc.constantFrom('hello', 'sub', 'unsub', 'send', 'signal', 'ping', 'pong', 'x'),
          v: fc.anything(),
          cursors: fc.anything(),
          id: fc.anything(),
          stream: fc.anything(),
          body: fc.anything(),
          n: fc.anything(),
        })
        .map((o) => JSON.stringify(o)),
    )
    fc.assert(
      fc.property(jsonish, (text) => {
        const client = decodeClientFrame(text)
        const server = decodeServerFrame(text)
        return typeof client.ok === 'boolean' && typeof server.ok === 'boolean'
      }),
      { numRuns: 100_000 },
    )
  })
})
