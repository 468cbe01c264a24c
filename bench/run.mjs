// `npm run bench`: 1:1 echo through Causette's transport vs raw ws, the server in its own
// process and the load in this one, on loopback. Prints a table with ratios and writes
// bench/results.json. Exits 1 if any message is lost, doubled or reordered.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { connect } from '@causette/transport'
import { WebSocket } from 'ws'
import { ensureBuilt } from '../scripts/ensure-built.mjs'

ensureBuilt()

const messages = Number(process.env.BENCH_MESSAGES ?? 20_000)
const window = 100
const payload = 'x'.repeat(100)

async function startServer(kind) {
  const child = spawn(
    process.execPath,
    [new URL('./servers.mjs', import.meta.url).pathname, kind],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  // Never leave a server behind, even when a case fails or times out.
  process.on('exit', () => child.kill('SIGKILL'))
  const [chunk] = await once(child.stdout, 'data')
  return { port: Number(String(chunk).trim()), stop: () => child.kill('SIGKILL') }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]
}

/** Sends `messages` with at most `window` in flight; `send(i)` starts one, `done(i)` ends it. */
async function windowed(start) {
  const latencies = new Float64Array(messages)
  const sentAt = new Float64Array(messages)
  let next = 0
  let completed = 0
  const t0 = performance.now()
  await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out after ${completed} messages`)),
      120_000,
    )
    const pump = () => {
      while (next < messages && next - completed < window) {
        sentAt[next] = performance.now()
        start(next++)
      }
    }
    start.onDone = (i) => {
      latencies[i] = performance.now() - sentAt[i]
      if (++completed === messages) {
        clearTimeout(timer)
        resolve()
      } else pump()
    }
    pump()
  })
  const seconds = (performance.now() - t0) / 1000
  const sorted = Array.from(latencies).sort((a, b) => a - b)
  return { rate: messages / seconds, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) }
}

async function benchRaw() {
  const server = await startServer('raw')
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}`, { perMessageDeflate: false })
  await once(ws, 'open')
  let expected = 0
  let errors = 0
  const start = (i) => ws.send(JSON.stringify({ i, payload }))
  ws.on('message', (data) => {
    const { i } = JSON.parse(String(data))
    if (i !== expected++) errors++
    start.onDone(i)
  })
  const result = await windowed(start)
  ws.close()
  server.stop()
  return { ...result, errors }
}

async function benchCausette() {
  const server = await startServer('causette')
  const transport = connect({
    url: `ws://127.0.0.1:${server.port}/transport`,
    auth: () => 'bench',
    WebSocket,
    maxOutbox: 10 * window,
  })
  const stream = 'echo'
  transport.follow(stream)
  await new Promise((resolve) => {
    const off = transport.subscribe((state) => {
      if (state.status !== 'open') return
      off()
      resolve()
    })
  })
  let expectedSeq = 1
  let errors = 0
  // An echo completes when the stored item comes back to its sender in order.
  transport.onItems((_s, items) => {
    for (const item of items) {
      if (item.seq !== expectedSeq++) errors++
      start.onDone(item.body.i)
    }
  })
  const start = (i) => {
    void transport.send(stream, { i, payload }).then((r) => {
      if (!r.ok) errors++
    })
  }
  const result = await windowed(start)
  transport.close()
  server.stop()
  return { ...result, errors }
}

const raw = await benchRaw()
const causette = await benchCausette()
const cases = [
  {
    name: 'echo throughput (100 B, 100 in flight)',
    unit: 'msg/s',
    higherIsBetter: true,
    causette: causette.rate,
    ws: raw.rate,
  },
  {
    name: 'echo latency p50',
    unit: 'ms',
    higherIsBetter: false,
    causette: causette.p50,
    ws: raw.p50,
  },
  {
    name: 'echo latency p99',
    unit: 'ms',
    higherIsBetter: false,
    causette: causette.p99,
    ws: raw.p99,
  },
]
console.table(
  cases.map((c) => ({
    case: c.name,
    unit: c.unit,
    causette: Number(c.causette.toFixed(2)),
    'raw ws': Number(c.ws.toFixed(2)),
    'causette / ws': Number((c.causette / c.ws).toFixed(2)),
  })),
)
writeFileSync(
  new URL('./results.json', import.meta.url),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, messages, cases }, null, 2)}\n`,
)
const errors = raw.errors + causette.errors
if (errors > 0) {
  console.error(`bench: ${errors} messages lost, doubled or out of order`)
  process.exit(1)
}
console.log(
  `bench: ${messages} messages per contender, 0 lost, 0 doubled, 0 reordered; wrote bench/results.json`,
)
