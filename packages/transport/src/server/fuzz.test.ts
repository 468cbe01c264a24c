import fc from 'fast-check'
import { afterEach, expect, test } from 'vitest'
import { WebSocket } from 'ws'
import { decodeServerFrame } from '../protocol/frames.js'
import { type Harness, startHarness, testClient, until } from '../test-support.js'

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

/** Frames a hostile or broken client might send: garbage, near-misses and valid-looking junk. */
const hostileFrame = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc
    .record(
      {
        t: fc.constantFrom(
          'hello',
          'sub',
          'unsub',
          'send',
          'signal',
          'ping',
          'pong',
          'ack',
          '',
          'x',
        ),
        v: fc.anything({ maxDepth: 1 }),
        id: fc.oneof(fc.string({ maxLength: 250 }), fc.integer()),
        stream: fc.oneof(fc.string({ maxLength: 250 }), fc.constant(null)),
        cursors: fc.oneof(
          fc.dictionary(fc.string({ maxLength: 10 }), fc.integer()),
          fc.anything({ maxDepth: 1 }),
        ),
        streams: fc.anything({ maxDepth: 1 }),
        n: fc.oneof(fc.integer(), fc.double()),
        body: fc.anything({ maxDepth: 2 }),
      },
      { requiredKeys: ['t'] },
    )
    .map((frame) => JSON.stringify(frame)),
)

test('100,000 generated hostile frames against a live server: no crash, others still served', async () => {
  h = await startHarness({ maxInvalidFrames: Number.MAX_SAFE_INTEGER })
  const frames = fc.sample(hostileFrame, { numRuns: 100_000, seed: 42 })
  const bystander = testClient(h.url, 'bystander', { channels: ['ws'] })
  bystander.follow('calm')
  await until(() => bystander.state().status === 'open', 5_000, 'bystander open')

  let answered = 0
  let closes = 0
  // Several sockets in turn: some frames close a socket (a frame before hello, binary-looking
  // data), and the next socket carries on with the rest.
  let index = 0
  while (index < frames.length) {
    const ws = new WebSocket(h.url)
    await new Promise((resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    })
    ws.on('message', (data) => {
      if (decodeServerFrame(data.toString()).ok) answered++
    })
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()))
    ws.send(JSON.stringify({ t: 'hello', v: 1, auth: 'fuzzer', cursors: {} }))
    for (; index < frames.length && ws.readyState === WebSocket.OPEN; index++) {
      ws.send(frames[index] as string)
      if (index % 1_000 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    ws.close()
    await closed
    closes++
  }
  // Every frame was sent, the server answered, and still serves a well-behaved client.
  expect(index).toBe(100_000)
  expect(answered).toBeGreaterThan(0)
  expect(h.transport.stats().invalidFrames).toBeGreaterThan(10_000)
  expect(await bystander.send('calm', { still: 'here' })).toMatchObject({ ok: true, seq: 1 })
  bystander.close()
  expect(closes).toBeGreaterThanOrEqual(1)
}, 120_000)
