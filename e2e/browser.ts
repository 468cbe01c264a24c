import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

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
