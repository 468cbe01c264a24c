import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from '@causette/server'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'

/** Debian's Chromium, or CHROMIUM_PATH. Playwright's own browser downloads are not used. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * Why browser tests cannot run here, or undefined when they can. With
 * CAUSETTE_REQUIRE_SERVICES=1 (CI) a missing browser is a failure, not a skip.
 */
export function browserMissing(): string | undefined {
  if (existsSync(chromiumPath)) return undefined
  const reason = `Chromium not found at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`
  if (process.env.CAUSETTE_REQUIRE_SERVICES === '1') throw new Error(reason)
  return reason
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** A real server (fresh SQLite in a temp dir, a seeded agent) and a Chromium to look at it. */
export async function startStack(agent: { email: string; password: string }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'causette-e2e-'))
  const server = await createServer({ dataDir, logger: false, seedAgent: agent })
  const url = await server.listen({ port: 0, host: '127.0.0.1' })
  const browser = await launchChromium()
  return {
    server,
    url,
    browser,
    async stop() {
      await browser.close()
      await server.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** The agent signs in on the console page (already open) and waits for the inbox. */
export async function signInToConsole(
  page: Page,
  agent: { readonly email: string; readonly password: string },
) {
  await page.getByRole('textbox', { name: 'Email' }).fill(agent.email)
  await page.getByLabel('Password').fill(agent.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Conversations' }).waitFor()
}

/** The agent signs in on the console page and opens the newest conversation; returns its log. */
export async function openFirstConversation(
  page: Page,
  agent: { readonly email: string; readonly password: string },
) {
  await signInToConsole(page, agent)
  await page
    .getByRole('list', { name: 'Conversations' })
    .getByRole('button', { name: /^Visitor / })
    .first()
    .click()
  return page.getByRole('log', { name: 'Messages' })
}

/**
 * A visitor and an agent, each in a browser context of their own (no shared cookies or
 * storage), with every uncaught page error collected. `prepare` runs on the visitor's context
 * before its page opens (routes, init scripts).
 */
export async function visitorAndAgent(
  browser: Browser,
  prepare?: (visitorContext: BrowserContext) => Promise<void>,
) {
  const visitorContext = await browser.newContext()
  const agentContext = await browser.newContext()
  await prepare?.(visitorContext)
  const visitor = await visitorContext.newPage()
  const agentPage = await agentContext.newPage()
  const errors: string[] = []
  for (const page of [visitor, agentPage])
    page.on('pageerror', (error) => errors.push(error.message))
  return {
    visitor,
    agentPage,
    errors,
    async close() {
      await visitorContext.close()
      await agentContext.close()
    },
  }
}
