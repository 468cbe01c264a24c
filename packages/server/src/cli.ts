#!/usr/bin/env node
import { createServer } from './create-server.js'
import { parseIdentityConfig } from './identity/identity-config.js'

/** `causette`: runs the server with settings from the environment (docs/getting-started.md). */
async function main() {
  const env = process.env
  const seed = env.CAUSETTE_SEED_AGENT
  const separator = seed?.indexOf(':') ?? -1
  if (seed !== undefined && separator <= 0) {
    throw new Error('CAUSETTE_SEED_AGENT must be email:password')
  }
  const origins = (env.CAUSETTE_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
  const server = await createServer({
    dataDir: env.CAUSETTE_DATA_DIR ?? './.causette',
    ...(env.CAUSETTE_DATABASE_URL
      ? {
          postgres: {
            url: env.CAUSETTE_DATABASE_URL,
            schema: env.CAUSETTE_DATABASE_SCHEMA ?? 'public',
          },
        }
      : {}),
    ...(env.CAUSETTE_REDIS_URL
      ? {
          redis: {
            url: env.CAUSETTE_REDIS_URL,
            channel: env.CAUSETTE_REDIS_CHANNEL ?? 'causette:fanout',
          },
        }
      : {}),
    sites: [
      {
        id: 'demo',
        name: 'Demo shop',
        origins,
        // JSON keys (docs/identity.md); the variable's value is never printed, even when invalid.
        ...(env.CAUSETTE_IDENTITY_KEYS
          ? { identity: parseIdentityConfig(env.CAUSETTE_IDENTITY_KEYS) }
          : {}),
      },
    ],
    ...(seed && separator > 0
      ? { seedAgent: { email: seed.slice(0, separator), password: seed.slice(separator + 1) } }
      : {}),
    onDemoAgent({ email, password }) {
      const line = '='.repeat(64)
      process.stdout.write(
        `\n${line}\n  Demo agent created (shown once):\n    email:    ${email}\n    password: ${password}\n  Sign in at /console. Set CAUSETTE_SEED_AGENT=email:password to choose your own.\n${line}\n\n`,
      )
    },
    secureCookies: env.CAUSETTE_SECURE_COOKIES === '1',
    trustProxy: env.CAUSETTE_TRUST_PROXY === '1',
  })
  const url = await server.listen({ port: Number(env.PORT ?? 8080), host: env.HOST ?? 'localhost' })
  process.stdout.write(`Causette is running: shop ${url}/  console ${url}/console\n`)
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    server.app.log.info({ signal }, 'draining')
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

main().catch((error: unknown) => {
  process.stderr.write(`causette: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
