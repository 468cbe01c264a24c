import { conversationStream } from '@causette/events'
import { CloseCodes, decodeServerFrame, type ServerFrame } from '@causette/transport/protocol'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { WebSocket } from 'ws'
import {
  newVisitor,
  startTestServer,
  type TestServer,
  until,
  visitorTransport,
  wsUrl,
} from './test-support.js'

/** A raw socket speaking the protocol by hand, to send what a real client never would. */
async function rawClient(url: string, token: string) {
  const ws = new WebSocket(wsUrl(url))
  const frames: ServerFrame[] = []
  let closeCode: number | undefined
  ws.on('message', (data) => {
    const decoded = decodeServerFrame(data.toString())
    if (decoded.ok) frames.push(decoded.value)
  })
  ws.on('close', (code) => {
    closeCode = code
  })
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  ws.send(JSON.stringify({ t: 'hello', v: 1, auth: token, cursors: {} }))
  await until(() => frames.some((f) => f.t === 'welcome'), 5_000, 'welcome')
  return {
    ws,
    frames,
    closeCode: () => closeCode,
    errors: () => frames.filter((f): f is Extract<ServerFrame, { t: 'error' }> => f.t === 'error'),
  }
}

describe('bad input gets a typed error and the server keeps serving everyone else', () => {
  let t: TestServer
  beforeEach(async () => {
    t = await startTestServer()
  })
  afterEach(async () => {
    await t.stop()
  })

  test('malformed JSON and unknown frame types: bad_frame errors, connection kept', async () => {
    const visitor = await newVisitor(t.url)
    const c = await rawClient(t.url, visitor.token)
    c.ws.send('{"t":"send",')
    c.ws.send(JSON.stringify({ t: 'launch-missiles' }))
    c.ws.send('[1,2,3]')
    await until(() => c.errors().length === 3, 5_000, 'three errors')
    expect(c.errors().map((e) => e.code)).toEqual(['bad_frame', 'bad_frame', 'bad_frame'])
    expect(c.errors()[1]?.message).toBe('unknown frame type')
    // Still served: a valid send on the same connection is acknowledged.
    const stream = conversationStream(visitor.conversationId)
    c.ws.send(
      JSON.stringify({ t: 'send', id: 'm-1', stream, body: { type: 'text', text: 'still here' } }),
    )
    await until(() => c.frames.some((f) => f.t === 'ack'), 5_000, 'ack')
    expect(c.closeCode()).toBeUndefined()
    expect(t.server.chat.transport.stats().invalidFrames).toBe(3)
    c.ws.close()
  })

  test('empty and over-long messages: invalid_payload, nothing stored', async () => {
    const visitor = await newVisitor(t.url)
    const c = await rawClient(t.url, visitor.token)
    const stream = conversationStream(visitor.conversationId)
    c.ws.send(
      JSON.stringify({ t: 'send', id: 'empty', stream, body: { type: 'text', text: '   ' } }),
    )
    c.ws.send(
      JSON.stringify({
        t: 'send',
        id: 'long',
        stream,
        body: { type: 'text', text: 'x'.repeat(4_001) },
      }),
    )
    c.ws.send(
      JSON.stringify({ t: 'send', id: 'html', stream, body: { type: 'html', html: '<b>hi</b>' } }),
    )
    await until(() => c.errors().length === 3, 5_000, 'three errors')
    expect(c.errors().map((e) => [e.code, e.ref])).toEqual([
      ['invalid_payload', 'empty'],
      ['invalid_payload', 'long'],
      ['invalid_payload', 'html'],
    ])
    expect(await t.server.store.replay(visitor.conversationId, 0, 10)).toEqual([])
    c.ws.close()
  })

  test('a 100 KB frame closes that socket with 1009; other visitors are unaffected', async () => {
    const bystander = await newVisitor(t.url)
    const b = visitorTransport(t.url, bystander.token)
    const stream = conversationStream(bystander.conversationId)
    b.follow(stream)
    await until(() => b.state().status === 'open', 5_000, 'bystander connection')

    const attacker = await newVisitor(t.url)
    const c = await rawClient(t.url, attacker.token)
    const huge = { type: 'text', text: 'x'.repeat(100 * 1024) }
    c.ws.send(
      JSON.stringify({
        t: 'send',
        id: 'huge',
        stream: conversationStream(attacker.conversationId),
        body: huge,
      }),
    )
    await until(() => c.closeCode() !== undefined, 5_000, 'close')
    expect(c.closeCode()).toBe(CloseCodes.tooBig)

    expect(await b.send(stream, { type: 'text', text: 'all good here' })).toMatchObject({
      ok: true,
      seq: 1,
    })
    expect(b.state().status).toBe('open')
    expect(await t.server.store.replay(attacker.conversationId, 0, 10)).toEqual([])
    b.close()
  })

  test('the client refuses a 100 KB message itself, with a typed error, before sending', async () => {
    const visitor = await newVisitor(t.url)
    const v = visitorTransport(t.url, visitor.token)
    const result = await v.send(conversationStream(visitor.conversationId), {
      type: 'text',
      text: 'x'.repeat(100 * 1024),
    })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.code).toBe('payload_too_large')
    expect(v.pending()).toEqual([])
    v.close()
  })

  test('a frame before hello, or a wrong token, closes with a documented code', async () => {
    const early = new WebSocket(wsUrl(t.url))
    const earlyClose = new Promise<number>((resolve) => early.on('close', resolve))
    early.on('open', () => early.send(JSON.stringify({ t: 'sub', cursors: {} })))
    expect(await earlyClose).toBe(CloseCodes.protocolError)

    const wrong = new WebSocket(wsUrl(t.url))
    const wrongClose = new Promise<number>((resolve) => wrong.on('close', resolve))
    wrong.on('open', () =>
      wrong.send(JSON.stringify({ t: 'hello', v: 1, auth: 'not-a-token', cursors: {} })),
    )
    expect(await wrongClose).toBe(CloseCodes.policy)

    const binary = new WebSocket(wsUrl(t.url))
    const binaryClose = new Promise<number>((resolve) => binary.on('close', resolve))
    binary.on('open', () => binary.send(Buffer.from([1, 2, 3])))
    expect(await binaryClose).toBe(CloseCodes.invalidData)
  })

  test('too many invalid frames close the connection with 1002', async () => {
    const visitor = await newVisitor(t.url)
    const c = await rawClient(t.url, visitor.token)
    for (let i = 0; i < 25; i++) c.ws.send('nope')
    await until(() => c.closeCode() !== undefined, 5_000, 'close')
    expect(c.closeCode()).toBe(CloseCodes.protocolError)
    expect(c.errors()).toHaveLength(20)
  })

  test('an upgrade from an origin not on the allowlist is refused before any frame', async () => {
    const ws = new WebSocket(wsUrl(t.url), { headers: { origin: 'https://evil.example' } })
    const status = await new Promise<number | undefined>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode))
      ws.on('open', () => resolve(undefined))
      ws.on('error', () => undefined)
    })
    expect(status).toBe(403)
  })
})
