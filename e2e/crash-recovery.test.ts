import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { conversationStream } from '@causette/events'
import {
  connect,
  type SendResult,
  type Transport,
  type WebSocketConstructor,
} from '@causette/transport'
import Database from 'better-sqlite3'
import { afterAll, expect, test } from 'vitest'
import { WebSocket } from 'ws'

const cli = new URL('../packages/server/dist/cli.js', import.meta.url).pathname
const agent = { email: 'crash@shop.test', password: 'crash-test-password' }
const dataDir = mkdtempSync(join(tmpdir(), 'causette-crash-'))
let server: ChildProcess | undefined

afterAll(() => {
  server?.kill('SIGKILL')
  rmSync(dataDir, { recursive: true, force: true })
})

async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))
  return port
}

/** Starts the real CLI (the built server) and resolves once it listens. */
async function startServer(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      CAUSETTE_DATA_DIR: dataDir,
      CAUSETTE_SEED_AGENT: `${agent.email}:${agent.password}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 20_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      if (String(chunk).includes('Causette is running')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)))
  })
  return child
}

test('server killed with SIGKILL mid-traffic and restarted on the same SQLite file: every acknowledged message is there once, in order', async () => {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  server = await startServer(port)

  const visitor = (await (
    await fetch(`${base}/api/v1/widget/visitors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ siteId: 'demo' }),
    })
  ).json()) as { token: string }
  const { conversation } = (await (
    await fetch(`${base}/api/v1/widget/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${visitor.token}` },
    })
  ).json()) as { conversation: { id: string } }
  const signIn = await fetch(`${base}/api/v1/agent/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(agent),
  })
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
  const stream = conversationStream(conversation.id)
  const withHeaders = (headers: Record<string, string>) =>
    class extends WebSocket {
      constructor(url: string) {
        super(url, { headers })
      }
    } as unknown as WebSocketConstructor
  const options = { backoff: { baseMs: 50, capMs: 500 }, maxOutbox: 500, channels: ['ws'] as const }
  const v: Transport = connect({
    url: `${base}/transport`,
    auth: () => visitor.token,
    WebSocket: withHeaders({}),
    ...options,
  })
  const a: Transport = connect({
    url: `${base}/transport`,
    WebSocket: withHeaders({ cookie }),
    ...options,
  })

  const acked: Array<{ from: string; i: number; seq: number }> = []
  const results: Promise<SendResult>[] = []
  const send = (t: Transport, from: string, i: number) => {
    const result = t.send(stream, { type: 'text', text: `${from} ${i}` })
    results.push(result)
    void result.then((r) => {
      if (r.ok) acked.push({ from, i, seq: r.seq })
    })
  }
  const perSender = 150
  for (let i = 0; i < perSender; i++) {
    send(v, 'visitor', i)
    send(a, 'agent', i)
    if (i === 50 || i === 100) {
      // Crash mid-traffic, check the file, restart on it.
      server.kill('SIGKILL')
      await new Promise((resolve) => server?.once('exit', resolve))
      const db = new Database(join(dataDir, 'causette.db'))
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      db.close()
      server = await startServer(port)
    }
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  const all = await Promise.all(results)
  expect(all.every((r) => r.ok)).toBe(true)
  v.close()
  a.close()
  server.kill('SIGTERM')
  await new Promise((resolve) => server?.once('exit', resolve))
  server = undefined

  const db = new Database(join(dataDir, 'causette.db'), { readonly: true })
  const rows = db
    .prepare('select seq, content from messages where conversation_id = ? order by seq')
    .all(conversation.id) as Array<{ seq: number; content: string }>
  db.close()
  // Gapless, once each, and each sender's messages in the order it sent them.
  expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: perSender * 2 }, (_, k) => k + 1))
  for (const from of ['visitor', 'agent']) {
    const order = rows
      .map((r) => (JSON.parse(r.content) as { text: string }).text)
      .filter((text) => text.startsWith(`${from} `))
      .map((text) => Number(text.split(' ')[1]))
    expect(order).toEqual(Array.from({ length: perSender }, (_, k) => k))
  }
  // Every acknowledgement names the seq the message really has.
  const bySeq = new Map(rows.map((r) => [r.seq, (JSON.parse(r.content) as { text: string }).text]))
  for (const ack of acked) expect(bySeq.get(ack.seq)).toBe(`${ack.from} ${ack.i}`)
}, 120_000)
