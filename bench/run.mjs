// `npm run bench`: Causette's transport against Socket.IO 4.8 (default settings) and raw `ws`,
// each server in its own process, the load in this one, on loopback. Every contender is driven
// by the same raw `ws` client speaking its protocol, so the figures compare servers, not client
// libraries. Prints a table with ratios and targets, writes bench/results/transport.json (and
// bench/results.json). Exits 1 if any message is lost, doubled or reordered.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createTcpServer, connect as tcpConnect } from 'node:net'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { connect } from '@causette/transport'
import { build } from 'vite'
import { WebSocket } from 'ws'
import { ensureBuilt } from '../scripts/ensure-built.mjs'

ensureBuilt()

const quick = process.env.BENCH_QUICK === '1'
const config = {
  echoMessages: quick ? 5_000 : 20_000,
  window: 100,
  halfRateSeconds: quick ? 1 : 3,
  fanoutSubscribers: 1_000,
  fanoutMessages: quick ? 20 : 100,
  idleConnections: quick ? 2_000 : 10_000,
  rttMs: 100,
  fallbackRuns: 3,
}
const payload = 'x'.repeat(100)
const failures = []

// ---------------------------------------------------------------- servers

async function startServer(kind) {
  // BENCH_SERVER_PROFILE=dir writes a CPU profile of each server process there.
  const dir = process.env.BENCH_SERVER_PROFILE
  const profile = dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []
  const child = spawn(
    process.execPath,
    ['--expose-gc', ...profile, new URL('./servers.mjs', import.meta.url).pathname, kind],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  // Never leave a server behind, even when a case fails or times out.
  process.on('exit', () => child.kill('SIGKILL'))
  const [chunk] = await once(child.stdout, 'data')
  const port = Number(String(chunk).trim())
  return {
    port,
    async cpuMicros() {
      return (await (await fetch(`http://127.0.0.1:${port}/cpu`)).json()).micros
    },
    async heapUsed() {
      const stats = await (await fetch(`http://127.0.0.1:${port}/stats`)).json()
      return stats.heapUsed
    },
    async stop() {
      child.kill('SIGTERM')
      await once(child, 'exit')
    },
  }
}

// ---------------------------------------------------------------- protocols over raw ws

/** How each contender's protocol looks on the wire, spoken by a raw `ws` client. */
const protocols = {
  ws: {
    url: (port) => `ws://127.0.0.1:${port}`,
    async handshake() {},
    echo: (i) => JSON.stringify({ i, payload }),
    publish: (i) => `b${JSON.stringify({ i, payload })}`,
    async subscribe() {},
    /** The message indices a frame carries. */
    indices(text) {
      return [JSON.parse(text[0] === 'b' ? text.slice(1) : text).i]
    },
  },
  causette: {
    url: (port) => `ws://127.0.0.1:${port}/transport`,
    async handshake(ws, cursors = {}) {
      ws.send(JSON.stringify({ t: 'hello', v: 1, auth: 'bench', cursors }))
      await waitFor(ws, (text) => text.startsWith('{"t":"welcome"'))
    },
    echoStream: 0,
    echo(i, stream) {
      return JSON.stringify({ t: 'send', id: `m${i}`, stream, body: { i, payload } })
    },
    publish: (i) =>
      JSON.stringify({ t: 'send', id: `p${i}`, stream: 'room', body: { i, payload } }),
    async subscribe(ws) {
      ws.send(JSON.stringify({ t: 'sub', cursors: { room: 0 } }))
    },
    indices(text) {
      if (!text.startsWith('{"t":"items"')) return []
      return JSON.parse(text).items.map((item) => item.body.i)
    },
  },
  socketio: {
    url: (port) => `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`,
    async handshake(ws) {
      // Engine.IO v4 open packet, then the Socket.IO v5 connect to the main namespace.
      ws.on('message', (data) => {
        if (String(data) === '2') ws.send('3') // answer the server's pings
      })
      await waitFor(ws, (text) => text.startsWith('0{'))
      ws.send('40')
      await waitFor(ws, (text) => text.startsWith('40'))
    },
    echo: (i) => `42${JSON.stringify(['m', { i, payload }])}`,
    publish: (i) => `42${JSON.stringify(['pub', { i, payload }])}`,
    async subscribe(ws) {
      ws.send('42["join","room"]')
    },
    indices(text) {
      if (!text.startsWith('42')) return []
      return [JSON.parse(text.slice(2))[1].i]
    },
  },
}

function waitFor(ws, predicate, ms = 10_000) {
  // A first frame can arrive with the 101 response, before any listener of ours: check those.
  const early = ws.early ?? []
  const index = early.findIndex((text) => predicate(text))
  if (index >= 0) {
    early.splice(0, index + 1)
    return Promise.resolve()
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('handshake timed out')), ms)
    const onMessage = (data) => {
      if (!predicate(String(data))) return
      clearTimeout(timer)
      ws.off('message', onMessage)
      resolve()
    }
    ws.on('message', onMessage)
  })
}

async function openSocket(protocol, port, cursors) {
  const ws = new WebSocket(protocol.url(port), { perMessageDeflate: false })
  ws.early = []
  const keep = (data) => ws.early.push(String(data))
  ws.on('message', keep)
  await once(ws, 'open')
  await protocol.handshake(ws, cursors)
  ws.off('message', keep)
  ws.early = []
  return ws
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]

// ---------------------------------------------------------------- cases

/** 1:1 echo, `window` messages in flight on one connection. */
async function echo(protocol, port, name) {
  const ws = await openSocket(protocol, port, name === 'causette' ? { echo: 0 } : undefined)
  const n = config.echoMessages
  const sentAt = new Float64Array(n)
  const latencies = []
  let next = 0
  let received = 0
  let expected = 0
  const t0 = performance.now()
  await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} echo stalled at ${received}`)),
      120_000,
    )
    const pump = () => {
      while (next < n && next - received < config.window) {
        sentAt[next] = performance.now()
        ws.send(protocol.echo(next++, 'echo'))
      }
    }
    ws.on('message', (data) => {
      for (const i of protocol.indices(String(data))) {
        if (i !== expected++) failures.push(`${name} echo: got ${i}, expected ${expected - 1}`)
        latencies.push(performance.now() - sentAt[i])
        if (++received === n) {
          clearTimeout(timer)
          resolve()
        }
      }
      pump()
    })
    pump()
  })
  const rate = n / ((performance.now() - t0) / 1000)
  ws.close()
  return { rate }
}

/** Latency at a steady half of the maximum rate measured for this contender. */
async function latencyAtHalf(protocol, port, name, maxRate) {
  const ws = await openSocket(protocol, port, name === 'causette' ? { half: 0 } : undefined)
  const rate = maxRate / 2
  const total = Math.floor(rate * config.halfRateSeconds)
  const sentAt = new Float64Array(total)
  const latencies = []
  let sent = 0
  const t0 = performance.now()
  const done = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} half-rate stalled`)), 60_000)
    ws.on('message', (data) => {
      for (const i of protocol.indices(String(data))) {
        latencies.push(performance.now() - sentAt[i])
        if (latencies.length === total) {
          clearTimeout(timer)
          resolve()
        }
      }
    })
  })
  // Paced by the clock, not by replies: every millisecond, send what the schedule owes.
  const ticker = setInterval(() => {
    const owed = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate))
    while (sent < owed) {
      sentAt[sent] = performance.now()
      ws.send(protocol.echo(sent++, 'half'))
    }
    if (sent === total) clearInterval(ticker)
  }, 1)
  await done
  ws.close()
  latencies.sort((a, b) => a - b)
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) }
}

/** One publisher, `fanoutSubscribers` subscribers: deliveries per second until all have all. */
async function fanout(protocol, port, name) {
  const subscribers = []
  for (let k = 0; k < config.fanoutSubscribers; k += 50) {
    const batch = await Promise.all(
      Array.from({ length: 50 }, () =>
        openSocket(protocol, port, name === 'causette' ? { room: 0 } : undefined),
      ),
    )
    subscribers.push(...batch)
  }
  if (name !== 'causette') for (const ws of subscribers) await protocol.subscribe(ws)
  await new Promise((resolve) => setTimeout(resolve, 300)) // joins settle
  const publisher = await openSocket(protocol, port)
  const m = config.fanoutMessages
  const want = subscribers.length * m
  let delivered = 0
  const t0 = performance.now()
  await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} fan-out stalled at ${delivered}/${want}`)),
      120_000,
    )
    for (const ws of subscribers) {
      let expected = 0
      ws.on('message', (data) => {
        for (const i of protocol.indices(String(data))) {
          if (i !== expected++) failures.push(`${name} fan-out: got ${i}, expected ${expected - 1}`)
          if (++delivered === want) {
            clearTimeout(timer)
            resolve()
          }
        }
      })
    }
    for (let i = 0; i < m; i++) publisher.send(protocol.publish(i))
  })
  const rate = want / ((performance.now() - t0) / 1000)
  for (const ws of [...subscribers, publisher]) ws.terminate()
  return { rate }
}

/** Server heap per idle, handshaken connection. */
async function idleHeap(protocol, port, name, server) {
  await new Promise((resolve) => setTimeout(resolve, 500))
  const before = await server.heapUsed()
  const sockets = []
  for (let k = 0; k < config.idleConnections; k += 100) {
    const batch = await Promise.all(
      Array.from({ length: 100 }, () =>
        openSocket(protocol, port, name === 'causette' ? {} : undefined),
      ),
    )
    sockets.push(...batch)
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000))
  const after = await server.heapUsed()
  for (const ws of sockets) ws.terminate()
  return { bytes: (after - before) / sockets.length }
}

/** Minified, gzipped size of a client library's entry, built the way an app would bundle it. */
async function bundleBytes(source) {
  // Inside the repository, so that the entry resolves packages from node_modules.
  const dir = mkdtempSync(join(new URL('.', import.meta.url).pathname, '.bundle-'))
  try {
    const entry = join(dir, 'entry.js')
    writeFileSync(entry, source)
    // An app build (not library mode, which keeps whitespace): what a shop's bundler ships.
    const output = await build({
      configFile: false,
      logLevel: 'silent',
      root: dir,
      build: {
        write: false,
        minify: true,
        rolldownOptions: { input: entry, preserveEntrySignatures: 'strict' },
      },
    })
    const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => o.output)
    const code = chunks
      .filter((c) => c.type === 'chunk')
      .map((c) => c.code)
      .join('\n')
    return gzipSync(code, { level: 9 }).length
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------- fallback timings

/**
 * A TCP proxy that adds `rttMs` of round-trip time and treats WebSocket upgrades as a hostile
 * network would: `refuse` (reset at once), `hang` (never answered), `stall` (upgraded, then
 * silence). Everything else passes, delayed.
 */
async function delayProxy(targetPort, mode) {
  const half = config.rttMs / 2
  const server = createTcpServer((client) => {
    // Loopback accepts at once; a real network spends one round trip on the TCP handshake
    // before the first byte of data, so this connection's first chunk waits that much more.
    const opened = performance.now()
    const later = (fn) =>
      setTimeout(fn, Math.max(half, opened + config.rttMs + half - performance.now()))
    const upstream = tcpConnect(targetPort, '127.0.0.1')
    let decided = false
    let stalled = false
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => later(() => client.destroy()))
    client.on('data', (chunk) => {
      if (!decided) {
        decided = true
        const upgrade = /upgrade:\s*websocket/i.test(String(chunk))
        if (upgrade && mode === 'refuse') return later(() => client.destroy())
        if (upgrade && mode === 'hang') {
          stalled = true
          return
        }
        if (upgrade && mode === 'stall') {
          // Pass the handshake (101) through, then nothing more in either direction.
          let headersDone = false
          upstream.on('data', (answer) => {
            if (headersDone) return
            const text = String(answer)
            const end = text.indexOf('\r\n\r\n')
            later(() => client.write(end >= 0 ? answer.subarray(0, end + 4) : answer))
            if (end >= 0) {
              headersDone = true
              stalled = true
            }
          })
          return later(() => upstream.write(chunk))
        }
        upstream.on('data', (answer) => later(() => client.write(answer)))
      }
      if (!stalled) later(() => upstream.write(chunk))
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: server.address().port, close: () => server.close() }
}

/** Time from creating a client to the acknowledgement of the message it sent first. */
async function firstMessageMs(proxyPort) {
  const t0 = performance.now()
  const client = connect({
    url: `http://127.0.0.1:${proxyPort}/transport`,
    auth: () => 'bench',
    WebSocket,
  })
  const result = await client.send('fallback', { text: 'first' })
  const ms = performance.now() - t0
  const via = client.state().status === 'open' ? client.state().via : client.state().status
  client.close()
  if (!result.ok) failures.push(`fallback: first message refused (${result.error.code})`)
  return { ms, via }
}

// ---------------------------------------------------------------- run

const results = {}
for (const name of ['ws', 'socketio', 'causette']) {
  const server = await startServer(name === 'ws' ? 'raw' : name)
  const protocol = protocols[name]
  let cpu = await server.cpuMicros()
  const echoResult = await echo(protocol, server.port, name)
  const echoCpu = ((await server.cpuMicros()) - cpu) / config.echoMessages
  const half = await latencyAtHalf(protocol, server.port, name, echoResult.rate)
  cpu = await server.cpuMicros()
  const fan = await fanout(protocol, server.port, name)
  const fanCpu =
    ((await server.cpuMicros()) - cpu) / (config.fanoutSubscribers * config.fanoutMessages)
  const heap = await idleHeap(protocol, server.port, name, server)
  await server.stop()
  results[name] = {
    echo: echoResult.rate,
    echoCpu,
    fanCpu,
    p50: half.p50,
    p99: half.p99,
    fanout: fan.rate,
    heap: heap.bytes,
  }
  console.log(`${name}: done`)
}

const causetteClient = await bundleBytes(
  `export { connect } from ${JSON.stringify(new URL('../packages/transport/dist/index.js', import.meta.url).pathname)}`,
)
const socketIoClient = await bundleBytes(`export { io } from 'socket.io-client'`)

const fallback = {}
{
  const server = await startServer('causette')
  for (const mode of ['refuse', 'hang', 'stall']) {
    const proxy = await delayProxy(server.port, mode)
    const runs = []
    for (let k = 0; k < config.fallbackRuns; k++) runs.push(await firstMessageMs(proxy.port))
    proxy.close()
    runs.sort((a, b) => a.ms - b.ms)
    fallback[mode] = runs[Math.floor(runs.length / 2)]
    if (runs.some((r) => r.via !== 'poll'))
      failures.push(`fallback ${mode}: ended on ${runs.map((r) => r.via)}`)
  }
  await server.stop()
}

const c = results.causette
const s = results.socketio
const w = results.ws
const rtt = config.rttMs
const cases = [
  {
    name: 'echo throughput (1 connection, 100 B, 100 in flight)',
    unit: 'msg/s',
    higherIsBetter: true,
    causette: c.echo,
    socketio: s.echo,
    ws: w.echo,
    target: `>= 0.85x ws (${(0.85 * w.echo).toFixed(0)}) and >= 1.3x Socket.IO (${(1.3 * s.echo).toFixed(0)})`,
    met: c.echo >= 0.85 * w.echo && c.echo >= 1.3 * s.echo,
  },
  {
    name: `fan-out to ${config.fanoutSubscribers} subscribers`,
    unit: 'deliveries/s',
    higherIsBetter: true,
    causette: c.fanout,
    socketio: s.fanout,
    ws: w.fanout,
    target: '>= 0.85x ws and >= 1.3x Socket.IO',
    met: c.fanout >= 0.85 * w.fanout && c.fanout >= 1.3 * s.fanout,
  },
  {
    name: 'server CPU per echoed message',
    unit: 'µs',
    higherIsBetter: false,
    causette: c.echoCpu,
    socketio: s.echoCpu,
    ws: w.echoCpu,
  },
  {
    name: 'server CPU per fan-out delivery (setup included)',
    unit: 'µs',
    higherIsBetter: false,
    causette: c.fanCpu,
    socketio: s.fanCpu,
    ws: w.fanCpu,
  },
  {
    name: 'latency p50 at half the max rate',
    unit: 'ms',
    higherIsBetter: false,
    causette: c.p50,
    socketio: s.p50,
    ws: w.p50,
  },
  {
    name: 'latency p99 at half the max rate',
    unit: 'ms',
    higherIsBetter: false,
    causette: c.p99,
    socketio: s.p99,
    ws: w.p99,
    target: `<= Socket.IO's p50 (${s.p50.toFixed(2)})`,
    met: c.p99 <= s.p50,
  },
  {
    name: `heap per idle connection (${config.idleConnections})`,
    unit: 'bytes',
    higherIsBetter: false,
    causette: c.heap,
    socketio: s.heap,
    ws: w.heap,
    target: `<= 1.3x ws (${(1.3 * w.heap).toFixed(0)})`,
    met: c.heap <= 1.3 * w.heap,
  },
  {
    name: 'client bundle (min+gzip)',
    unit: 'bytes',
    higherIsBetter: false,
    causette: causetteClient,
    socketio: socketIoClient,
    ws: null,
    target: '<= 6144',
    met: causetteClient <= 6144,
  },
  {
    name: `first message, WebSocket refused (RTT ${rtt} ms)`,
    unit: 'ms',
    higherIsBetter: false,
    causette: fallback.refuse.ms,
    socketio: null,
    ws: null,
    target: `<= 3 RTT + 100 ms (${3 * rtt + 100})`,
    met: fallback.refuse.ms <= 3 * rtt + 100,
  },
  {
    name: `first message, WebSocket upgrade hangs (RTT ${rtt} ms)`,
    unit: 'ms',
    higherIsBetter: false,
    causette: fallback.hang.ms,
    socketio: null,
    ws: null,
    target: '<= 1500',
    met: fallback.hang.ms <= 1500,
  },
  {
    name: `first message, WebSocket stalls after upgrade (RTT ${rtt} ms)`,
    unit: 'ms',
    higherIsBetter: false,
    causette: fallback.stall.ms,
    socketio: null,
    ws: null,
    target: '<= 3000',
    met: fallback.stall.ms <= 3000,
  },
]

const fmt = (v) => (v === null ? '—' : v >= 100 ? Math.round(v) : Number(v.toFixed(2)))
console.table(
  cases.map((k) => ({
    case: k.name,
    unit: k.unit,
    causette: fmt(k.causette),
    'socket.io': fmt(k.socketio),
    ws: fmt(k.ws),
    'vs ws': k.ws ? `${(k.causette / k.ws).toFixed(2)}x` : '—',
    'vs socket.io': k.socketio ? `${(k.causette / k.socketio).toFixed(2)}x` : '—',
    target: k.target ? `${k.met ? 'met' : 'MISSED'}: ${k.target}` : '',
  })),
)

const report = {
  date: new Date().toISOString(),
  node: process.version,
  config,
  cases: cases.map(({ met, target, ...rest }) => ({
    ...rest,
    target: target ?? null,
    met: met ?? null,
  })),
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
writeFileSync(
  new URL('./results/transport.json', import.meta.url),
  `${JSON.stringify(report, null, 2)}\n`,
)
writeFileSync(
  new URL('./results.json', import.meta.url),
  `${JSON.stringify({ transport: report }, null, 2)}\n`,
)

if (failures.length > 0) {
  console.error(`bench: ${failures.length} delivery errors:\n${failures.slice(0, 10).join('\n')}`)
  process.exit(1)
}
console.log('bench: 0 lost, 0 doubled, 0 reordered; wrote bench/results/transport.json')
