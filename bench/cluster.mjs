// `npm run bench` (second part): one node vs three nodes on one PostgreSQL and one Redis, the
// built CLI in its own processes, the load in this one. Visitors send on one node; an agent
// follows every conversation from another node (the same node when there is one), so each
// delivery crosses the fan-out. Prints a table, writes bench/results/cluster.json.
// Skips, saying why, when PostgreSQL or Redis is not reachable (fails with
// CAUSETTE_REQUIRE_SERVICES=1).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { connect } from '@causette/transport'
import { Redis } from 'ioredis'
import pg from 'pg'
import { WebSocket } from 'ws'
import { ensureBuilt } from '../scripts/ensure-built.mjs'

ensureBuilt()

const postgresUrl =
  process.env.CAUSETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const redisUrl = process.env.CAUSETTE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const quick = process.env.BENCH_QUICK === '1'
const config = {
  conversations: 20,
  messagesPerConversation: quick ? 20 : 100,
  window: 10,
  /** The latency phase: a light, steady load, so that queueing does not hide the fan-out cost. */
  pacedRatePerSecond: 50,
  pacedSeconds: quick ? 2 : 5,
}
const agent = { email: 'bench@shop.test', password: 'bench-cluster-password' }
const cli = new URL('../packages/server/dist/cli.js', import.meta.url).pathname

async function reachable() {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2_000 })
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  redis.on('error', () => undefined)
  try {
    await client.connect()
    await redis.connect()
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  } finally {
    await client.end().catch(() => undefined)
    redis.disconnect()
  }
}

async function freePort() {
  const probe = createServer()
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address()
  await new Promise((resolve) => probe.close(resolve))
  return port
}

async function startNode(port, schema) {
  const child = spawn(process.execPath, [cli], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      CAUSETTE_DATABASE_URL: postgresUrl,
      CAUSETTE_DATABASE_SCHEMA: schema,
      CAUSETTE_REDIS_URL: redisUrl,
      CAUSETTE_REDIS_CHANNEL: `causette:bench:${schema}`,
      CAUSETTE_SEED_AGENT: `${agent.email}:${agent.password}`,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  process.on('exit', () => child.kill('SIGKILL'))
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => String(chunk).includes('Causette is running') && resolve())
    child.once('exit', (code) => reject(new Error(`node exited with ${code}`)))
  })
  return child
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]

async function run(nodeCount) {
  const schema = `bench_${nodeCount}_${Date.now().toString(36)}`
  const admin = new pg.Client({ connectionString: postgresUrl })
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  const ports = []
  const nodes = []
  for (let i = 0; i < nodeCount; i++) ports.push(await freePort())
  nodes.push(await startNode(ports[0], schema))
  for (let i = 1; i < nodeCount; i++) nodes.push(await startNode(ports[i], schema))
  const base = (i) => `http://127.0.0.1:${ports[i % nodeCount]}`

  const signIn = await fetch(`${base(0)}/api/v1/agent/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(agent),
  })
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]
  const Cookied = class extends WebSocket {
    constructor(url) {
      super(url, { headers: { cookie } })
    }
  }
  // The agent watches from the last node; visitors write on the others in turn.
  const watcher = connect({
    url: `${base(nodeCount - 1)}/transport`,
    WebSocket: Cookied,
    channels: ['ws'],
  })
  const visitors = []
  for (let i = 0; i < config.conversations; i++) {
    const home = nodeCount === 1 ? 0 : i % (nodeCount - 1)
    const { token } = await (
      await fetch(`${base(home)}/api/v1/widget/visitors`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ siteId: 'demo' }),
      })
    ).json()
    const { conversation } = await (
      await fetch(`${base(home)}/api/v1/widget/conversations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()
    const stream = `conv:${conversation.id}`
    const transport = connect({
      url: `${base(home)}/transport`,
      auth: () => token,
      WebSocket,
      channels: ['ws'],
    })
    watcher.follow(stream)
    visitors.push({ transport, stream })
  }
  await new Promise((resolve) => {
    const check = () =>
      [watcher, ...visitors.map((v) => v.transport)].every((t) => t.state().status === 'open')
        ? resolve()
        : setTimeout(check, 20)
    check()
  })

  const sentAt = new Map()
  const latencies = []
  let errors = 0
  const total = config.conversations * config.messagesPerConversation
  const done = new Promise((resolve) => {
    watcher.onItems((_stream, items) => {
      for (const item of items) {
        const t0 = sentAt.get(item.body.content.text)
        if (t0 === undefined || item.body.content.text.startsWith('paced')) continue
        latencies.push(performance.now() - t0)
        if (latencies.length === total) resolve()
      }
    })
  })
  const t0 = performance.now()
  await Promise.all(
    visitors.map(async (v, i) => {
      let inFlight = []
      for (let m = 0; m < config.messagesPerConversation; m++) {
        const text = `c${i} m${m}`
        sentAt.set(text, performance.now())
        inFlight.push(
          v.transport.send(v.stream, { type: 'text', text }).then((r) => r.ok || errors++),
        )
        if (inFlight.length >= config.window) {
          await Promise.all(inFlight)
          inFlight = []
        }
      }
      await Promise.all(inFlight)
    }),
  )
  await done
  const seconds = (performance.now() - t0) / 1000

  // Latency at a light, steady rate: one message every 1/rate seconds, round robin over the
  // conversations, each timed from send to its arrival at the agent on the other node.
  const paced = []
  const pacedTotal = config.pacedRatePerSecond * config.pacedSeconds
  const pacedDone = new Promise((resolve) => {
    watcher.onItems((_stream, items) => {
      for (const item of items) {
        const start = sentAt.get(item.body.content.text)
        if (start === undefined || !item.body.content.text.startsWith('paced')) continue
        paced.push(performance.now() - start)
        if (paced.length === pacedTotal) resolve()
      }
    })
  })
  for (let k = 0; k < pacedTotal; k++) {
    const v = visitors[k % visitors.length]
    const text = `paced ${k}`
    sentAt.set(text, performance.now())
    void v.transport.send(v.stream, { type: 'text', text }).then((r) => r.ok || errors++)
    await new Promise((resolve) => setTimeout(resolve, 1000 / config.pacedRatePerSecond))
  }
  await pacedDone
  paced.sort((a, b) => a - b)

  for (const t of [watcher, ...visitors.map((v) => v.transport)]) t.close()
  for (const node of nodes) {
    node.kill('SIGTERM')
    await once(node, 'exit')
  }
  await admin.query(`drop schema ${schema} cascade`)
  await admin.end()
  return {
    rate: total / seconds,
    p50: percentile(paced, 0.5),
    p99: percentile(paced, 0.99),
    errors,
  }
}

const why = await reachable()
if (why) {
  const message = `cluster bench skipped: PostgreSQL or Redis not reachable (${why})`
  if (process.env.CAUSETTE_REQUIRE_SERVICES === '1') {
    console.error(message)
    process.exit(1)
  }
  console.log(message)
  process.exit(0)
}

const one = await run(1)
const three = await run(3)
const added = three.p50 - one.p50
const cases = [
  {
    name: 'messages stored and delivered per second (saturated)',
    unit: 'msg/s',
    higherIsBetter: true,
    oneNode: one.rate,
    threeNodes: three.rate,
  },
  {
    name: `delivery latency p50 at ${config.pacedRatePerSecond} msg/s`,
    unit: 'ms',
    higherIsBetter: false,
    oneNode: one.p50,
    threeNodes: three.p50,
  },
  {
    name: `delivery latency p99 at ${config.pacedRatePerSecond} msg/s`,
    unit: 'ms',
    higherIsBetter: false,
    oneNode: one.p99,
    threeNodes: three.p99,
  },
  {
    name: 'latency added by cross-node fan-out (p50)',
    unit: 'ms',
    higherIsBetter: false,
    oneNode: 0,
    threeNodes: added,
    target: '<= 10',
    met: added <= 10,
  },
]
console.table(
  cases.map((c) => ({
    case: c.name,
    unit: c.unit,
    'one node': Number(c.oneNode.toFixed(2)),
    'three nodes': Number(c.threeNodes.toFixed(2)),
    target: c.target ? `${c.met ? 'met' : 'MISSED'}: ${c.target}` : '',
  })),
)
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
writeFileSync(
  new URL('./results/cluster.json', import.meta.url),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, config, cases }, null, 2)}\n`,
)
if (added > 10) {
  console.error(
    `cluster bench: cross-node fan-out adds ${added.toFixed(2)} ms at p50 (target 10 ms)`,
  )
  process.exit(1)
}
if (one.errors + three.errors > 0) {
  console.error(`cluster bench: ${one.errors + three.errors} sends failed`)
  process.exit(1)
}
console.log('cluster bench: every message stored and delivered; wrote bench/results/cluster.json')
