import { type ChatItem, conversationStream } from '@causette/events'
import type { StreamItem, Transport } from '@causette/transport'
import { connect } from '@causette/transport'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { dropSchema, postgresMissing, postgresUrl, testSchema } from './test-services.js'
import {
  agentTransport,
  newVisitor,
  signIn,
  startTestServer,
  type TestServer,
  until,
  visitorTransport,
  webSocketWith,
  wsUrl,
} from './test-support.js'

function collect(transport: Transport) {
  const items: StreamItem[] = []
  transport.onItems((_stream, fresh) => items.push(...fresh))
  return items
}

const text = (item: StreamItem) => (item.body as ChatItem).content.text

describe('one conversation end to end', () => {
  let t: TestServer
  const open: Transport[] = []
  beforeEach(async () => {
    t = await startTestServer()
  })
  afterEach(async () => {
    for (const transport of open.splice(0)) transport.close()
    await t.stop()
  })

  test('a visitor writes, an agent answers; both see both messages, stored once, in order', async () => {
    const visitor = await newVisitor(t.url)
    const { cookie } = await signIn(t.url)
    const stream = conversationStream(visitor.conversationId)

    const v = visitorTransport(t.url, visitor.token)
    const a = agentTransport(t.url, cookie)
    open.push(v, a)
    const seenByVisitor = collect(v)
    const seenByAgent = collect(a)
    v.follow(stream)
    a.follow(stream)

    const first = await v.send(stream, {
      type: 'text',
      text: '  Is the plum vase dishwasher safe?  ',
    })
    expect(first).toMatchObject({ ok: true, seq: 1 })
    await until(() => seenByAgent.length === 1, 5_000, 'agent to receive the question')
    const reply = await a.send(stream, { type: 'text', text: 'Hand wash only, I am afraid.' })
    expect(reply).toMatchObject({ ok: true, seq: 2 })
    await until(() => seenByVisitor.length === 2, 5_000, 'visitor to receive the answer')

    for (const seen of [seenByVisitor, seenByAgent]) {
      expect(seen.map((i) => i.seq)).toEqual([1, 2])
      expect(seen.map(text)).toEqual([
        'Is the plum vase dishwasher safe?',
        'Hand wash only, I am afraid.',
      ])
    }
    const [question, answer] = seenByVisitor.map((item) => item.body as ChatItem)
    expect(question?.author.role).toBe('visitor')
    expect(answer?.author).toMatchObject({
      role: 'agent',
      name: 'ada',
    })

    const stored = await t.server.store.replay(visitor.conversationId, 0, 100)
    expect(stored.map((i) => i.seq)).toEqual([1, 2])
    expect(stored.map((i) => i.id)).toEqual([first.id, reply.id])
  })

  test('a message sent again with the same id is stored once and acknowledged again', async () => {
    const visitor = await newVisitor(t.url)
    const stream = conversationStream(visitor.conversationId)
    const v = visitorTransport(t.url, visitor.token)
    open.push(v)
    const id = '01936f3e-0000-7000-8000-000000000001'
    const once = await v.send(stream, { type: 'text', text: 'hello' }, { id })
    // A second client (the same visitor after a reload) resends the unacknowledged id.
    const again = visitorTransport(t.url, visitor.token)
    open.push(again)
    const twice = await again.send(stream, { type: 'text', text: 'hello' }, { id })
    expect(once).toMatchObject({ ok: true, seq: 1 })
    expect(twice).toMatchObject({ ok: true, seq: 1 })
    expect(await t.server.store.replay(visitor.conversationId, 0, 10)).toHaveLength(1)
  })

  test('agents hear about new messages on the inbox topic', async () => {
    const visitor = await newVisitor(t.url)
    const { cookie } = await signIn(t.url)
    const a = agentTransport(t.url, cookie)
    const v = visitorTransport(t.url, visitor.token)
    open.push(a, v)
    const signals: unknown[] = []
    a.onSignal((topic, body) => signals.push({ topic, body }))
    await until(() => a.state().status === 'open', 5_000, 'agent connection')
    await v.send(conversationStream(visitor.conversationId), {
      type: 'text',
      text: 'anyone there?',
    })
    await until(() => signals.length > 0, 5_000, 'inbox signal')
    expect(signals[0]).toMatchObject({
      topic: 'inbox:demo',
      body: {
        type: 'conversation.updated',
        conversation: {
          id: visitor.conversationId,
          lastSeq: 1,
          lastMessage: { text: 'anyone there?' },
        },
      },
    })
  })

  test('a visitor cannot follow or write to another visitor’s conversation', async () => {
    const alice = await newVisitor(t.url)
    const mallory = await newVisitor(t.url)
    const m = visitorTransport(t.url, mallory.token)
    open.push(m)
    const result = await m.send(conversationStream(alice.conversationId), {
      type: 'text',
      text: 'hi',
    })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.code).toBe('forbidden')
    expect(await t.server.store.replay(alice.conversationId, 0, 10)).toHaveLength(0)
    // Following is refused too, and nothing of Alice's conversation reaches Mallory.
    await visitorTransport(t.url, alice.token).send(conversationStream(alice.conversationId), {
      type: 'text',
      text: 'secret',
    })
    const seen: unknown[] = []
    m.onItems((_s, items) => seen.push(...items))
    m.follow(conversationStream(alice.conversationId))
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(seen).toEqual([])
  })

  test('the agent cookie is refused on a connection from another origin, even an allowed shop', async () => {
    await t.stop()
    t = await startTestServer({
      sites: [{ id: 'demo', name: 'Demo', origins: ['https://shop.example/'] }],
    })
    const { cookie } = await signIn(t.url)
    const fromShop = connect({
      url: wsUrl(t.url),
      WebSocket: webSocketWith({ cookie, origin: 'https://shop.example' }),
      channels: ['ws'],
    })
    open.push(fromShop)
    await until(() => fromShop.state().status === 'closed', 5_000, 'refusal')
    expect(fromShop.state()).toEqual({ status: 'closed', reason: 'unauthorized' })
    // The same cookie from the server's own origin (the console) is an agent.
    const fromConsole = connect({
      url: wsUrl(t.url),
      WebSocket: webSocketWith({ cookie, origin: t.url }),
      channels: ['ws'],
    })
    open.push(fromConsole)
    await until(() => fromConsole.state().status === 'open', 5_000, 'console connection')
  })

  test('signing out closes the agent’s open connections at once', async () => {
    const { cookie, csrfToken } = await signIn(t.url)
    const agent = agentTransport(t.url, cookie)
    open.push(agent)
    await until(() => agent.state().status === 'open', 5_000, 'agent connection')
    const out = await fetch(`${t.url}/api/v1/agent/session`, {
      method: 'DELETE',
      headers: { cookie, 'x-causette-csrf': csrfToken },
    })
    expect(out.status).toBe(204)
    await until(() => agent.state().status === 'closed', 5_000, 'closed by sign-out')
    expect(agent.state()).toEqual({ status: 'closed', reason: 'unauthorized' })
  })
})

const pgMissing = await postgresMissing()

describe.skipIf(pgMissing !== undefined)(
  'one conversation end to end, stored in PostgreSQL',
  () => {
    test('a visitor writes, an agent answers; both see both, stored once, in order', async () => {
      const schema = testSchema()
      const t = await startTestServer({ postgres: { url: postgresUrl, schema } })
      try {
        const visitor = await newVisitor(t.url)
        const { cookie } = await signIn(t.url)
        const stream = conversationStream(visitor.conversationId)
        const v = visitorTransport(t.url, visitor.token)
        const a = agentTransport(t.url, cookie)
        const seen: StreamItem[] = []
        a.onItems((_s, items) => seen.push(...items))
        v.follow(stream)
        a.follow(stream)
        expect(await v.send(stream, { type: 'text', text: 'Bonjour' })).toMatchObject({
          ok: true,
          seq: 1,
        })
        expect(
          await a.send(stream, { type: 'text', text: 'Bonjour, comment puis-je aider ?' }),
        ).toMatchObject({ ok: true, seq: 2 })
        await until(() => seen.length === 2, 5_000, 'both messages')
        expect(seen.map(text)).toEqual(['Bonjour', 'Bonjour, comment puis-je aider ?'])
        v.close()
        a.close()
      } finally {
        await t.stop()
        await dropSchema(schema)
      }
    })
  },
)

if (pgMissing) test.skip(`PostgreSQL server test skipped: ${pgMissing}`, () => undefined)
