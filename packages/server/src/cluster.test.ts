import { type ChatItem, conversationStream, inboxTopic } from '@causette/events'
import { connect, type StreamItem, type Transport } from '@causette/transport'
import { afterEach, describe, expect, test } from 'vitest'
import {
  dropSchema,
  postgresMissing,
  postgresUrl,
  redisMissing,
  redisUrl,
  testSchema,
} from './test-services.js'
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

const missing = (await postgresMissing()) ?? (await redisMissing())
const text = (item: StreamItem) => (item.body as ChatItem).content.text

describe.skipIf(missing !== undefined)('two nodes on one PostgreSQL and one Redis', () => {
  const nodes: TestServer[] = []
  const clients: Transport[] = []
  let schema = ''
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close()
    for (const n of nodes.splice(0)) await n.stop()
    await dropSchema(schema)
  })

  async function cluster(channels: [string, string]) {
    schema = testSchema()
    for (const channel of channels) {
      nodes.push(
        await startTestServer({
          postgres: { url: postgresUrl, schema },
          redis: { url: redisUrl, channel },
        }),
      )
    }
    return nodes as [TestServer, TestServer]
  }

  test('a visitor on one node and an agent on the other talk both ways, live', async () => {
    const channel = `causette:test:${schema || Date.now()}`
    const [a, b] = await cluster([channel, channel])
    const visitor = await newVisitor(a.url)
    const { cookie } = await signIn(b.url)
    const stream = conversationStream(visitor.conversationId)
    const v = visitorTransport(a.url, visitor.token)
    const agent = agentTransport(b.url, cookie)
    // A second visitor tab on node B, over long-poll.
    const poller = connect({ url: wsUrl(b.url), auth: () => visitor.token, channels: ['poll'] })
    clients.push(v, agent, poller)
    const seenByVisitor: StreamItem[] = []
    const seenByAgent: StreamItem[] = []
    const seenByPoller: StreamItem[] = []
    const signals: unknown[] = []
    v.onItems((_s, items) => seenByVisitor.push(...items))
    agent.onItems((_s, items) => seenByAgent.push(...items))
    poller.onItems((_s, items) => seenByPoller.push(...items))
    agent.onSignal((_topic, body) => signals.push(body))
    for (const t of [v, agent, poller]) t.follow(stream)
    await until(
      () => agent.state().status === 'open' && poller.state().status === 'open',
      5_000,
      'connections',
    )

    for (let i = 0; i < 10; i++) {
      expect(await v.send(stream, { type: 'text', text: `question ${i}` })).toMatchObject({
        ok: true,
      })
      expect(await agent.send(stream, { type: 'text', text: `answer ${i}` })).toMatchObject({
        ok: true,
      })
    }
    await until(
      () => seenByVisitor.length === 20 && seenByAgent.length === 20 && seenByPoller.length === 20,
      10_000,
      'all three see all twenty',
    )
    const expected = Array.from({ length: 10 }, (_, i) => [`question ${i}`, `answer ${i}`]).flat()
    for (const seen of [seenByVisitor, seenByAgent, seenByPoller]) {
      expect(seen.map((item) => item.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
      expect(seen.map(text)).toEqual(expected)
    }
    // The agent on node B heard about the visitor's messages stored on node A.
    expect(signals.length).toBeGreaterThan(0)
  })

  test('typing on one node reaches the other participant on another node, and nobody else', async () => {
    const channel = `causette:test:typing:${Date.now()}`
    const [a, b] = await cluster([channel, channel])
    const visitor = await newVisitor(a.url)
    const stranger = await newVisitor(b.url)
    const { cookie } = await signIn(b.url)
    const stream = conversationStream(visitor.conversationId)
    const v = visitorTransport(a.url, visitor.token)
    const agent = agentTransport(b.url, cookie)
    const s = visitorTransport(b.url, stranger.token)
    clients.push(v, agent, s)
    const heardByAgent: unknown[] = []
    const heardByStranger: unknown[] = []
    agent.onSignal((topic, body) => topic === stream && heardByAgent.push(body))
    s.onSignal((_topic, body) => heardByStranger.push(body))
    agent.follow(stream)
    s.follow(stream) // refused: not the stranger's conversation
    v.follow(stream)
    await until(() => [v, agent, s].every((t) => t.state().status === 'open'), 5_000, 'connections')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(v.signal(stream, { type: 'typing', typing: true })).toBe(true)
    // The stranger tries to fake typing in someone else's conversation: dropped.
    s.signal(stream, { type: 'typing', typing: true })
    await until(() => heardByAgent.length === 1, 5_000, 'typing across nodes')
    expect(heardByAgent[0]).toEqual({
      type: 'typing',
      typing: true,
      author: { role: 'visitor', id: visitor.visitorId },
    })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(heardByAgent).toHaveLength(1)
    expect(heardByStranger).toEqual([])
  })

  test('an agent connected to one node is online on every node, and offline once gone', async () => {
    const channel = `causette:test:presence:${Date.now()}`
    const [a, b] = await cluster([channel, channel])
    const { cookie } = await signIn(b.url)
    const online = async (url: string) =>
      (
        (await (await fetch(`${url}/api/v1/agents/online`, { headers: { cookie } })).json()) as {
          agents: Array<{ name: string }>
        }
      ).agents.map((agent) => agent.name)
    expect(await online(a.url)).toEqual([])
    const agent = agentTransport(b.url, cookie)
    clients.push(agent)
    await until(() => agent.state().status === 'open', 5_000, 'agent connection')
    expect(await online(a.url)).toEqual(['ada'])
    expect(await online(b.url)).toEqual(['ada'])
    agent.close()
    const start = Date.now()
    while ((await online(a.url)).length > 0) {
      if (Date.now() - start > 5_000) throw new Error('agent still online after disconnecting')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    // On long-poll there is no connection to count: each poll keeps the agent present.
    const poller = connect({
      url: wsUrl(b.url),
      channels: ['poll'],
      fetch: (input, init) => {
        const headers = new Headers(init?.headers)
        headers.set('cookie', cookie)
        return fetch(input, { ...init, headers })
      },
    })
    clients.push(poller)
    await until(() => poller.state().status === 'open', 5_000, 'agent on long-poll')
    expect(await online(a.url)).toEqual(['ada'])
  })

  test('a node whose Redis subscription is cut resyncs by itself once it is back, with no further traffic', async () => {
    const channel = `causette:test:cut:${Date.now()}`
    const [a, b] = await cluster([channel, channel])
    const visitor = await newVisitor(a.url)
    const { cookie } = await signIn(b.url)
    const stream = conversationStream(visitor.conversationId)
    const v = visitorTransport(a.url, visitor.token)
    const agent = agentTransport(b.url, cookie)
    clients.push(v, agent)
    const seenByAgent: StreamItem[] = []
    agent.onItems((_s, items) => seenByAgent.push(...items))
    const staleSignals: unknown[] = []
    agent.onSignal((topic, body) => {
      if ((body as { type?: string }).type === 'inbox.stale') staleSignals.push({ topic, body })
    })
    agent.follow(stream)
    await until(
      () => agent.state().status === 'open' && v.state().status === 'open',
      5_000,
      'connections',
    )
    const { Redis } = await import('ioredis')
    const admin = new Redis(redisUrl)
    try {
      // Cut only this test's subscribers (never other processes' clients), while sending.
      const list = String(await admin.client('LIST'))
      const ids = list
        .split('\n')
        .filter((line) => line.includes(`name=causette-sub:${channel}`))
        .map((line) => /id=(\d+)/.exec(line)?.[1])
      expect(ids.length).toBe(2)
      for (const id of ids) await admin.client('KILL', 'ID', id as string)
      const sends = []
      for (let i = 0; i < 5; i++)
        sends.push(v.send(stream, { type: 'text', text: `during the cut ${i}` }))
      await Promise.all(sends)
    } finally {
      admin.disconnect()
    }
    // No more traffic: the agent on node B must still end up with every message.
    await until(() => seenByAgent.length === 5, 10_000, 'convergence after the cut')
    expect(seenByAgent.map((item) => item.seq)).toEqual([1, 2, 3, 4, 5])
    // Inbox signals sent during the cut are gone for good: the console is told to refetch.
    await until(() => staleSignals.length > 0, 5_000, 'inbox.stale')
    expect(staleSignals[0]).toEqual({
      topic: inboxTopic('demo'),
      body: { type: 'inbox.stale', siteId: 'demo' },
    })
  })

  test('a node that missed every doorbell converges on the store after a resync', async () => {
    // Different channels: node B hears nothing from node A, as during a Redis partition.
    const [a, b] = await cluster([`causette:test:a:${Date.now()}`, `causette:test:b:${Date.now()}`])
    const visitor = await newVisitor(a.url)
    const { cookie } = await signIn(b.url)
    const stream = conversationStream(visitor.conversationId)
    const v = visitorTransport(a.url, visitor.token)
    const agent = connect({
      url: wsUrl(b.url),
      WebSocket: webSocketWith({ cookie }),
      channels: ['ws'],
    })
    clients.push(v, agent)
    const seenByAgent: StreamItem[] = []
    agent.onItems((_s, items) => seenByAgent.push(...items))
    agent.follow(stream)
    await until(() => agent.state().status === 'open', 5_000, 'agent connection')
    for (let i = 0; i < 5; i++) await v.send(stream, { type: 'text', text: `lost doorbell ${i}` })
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(seenByAgent).toHaveLength(0)
    // What a node does when its fan-out link comes back.
    b.server.chat.transport.resync()
    await until(() => seenByAgent.length === 5, 5_000, 'convergence')
    expect(seenByAgent.map((item) => item.seq)).toEqual([1, 2, 3, 4, 5])
  })
})

if (missing) test.skip(`cluster tests skipped: ${missing}`, () => undefined)
