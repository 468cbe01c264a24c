import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  browserMissing,
  openFirstConversation,
  signInToConsole,
  startStack,
  visitorAndAgent,
} from './browser.js'

const skipReason = browserMissing()
const agent = { email: 'agent@shop.test', password: 'e2e-password-1234' }
const poll = { timeout: 10_000, interval: 50 }

/** Records CSP violations from the first script on: the shop runs under a strict policy. */
const watchViolations = () => {
  const seen: string[] = []
  ;(window as unknown as { cspViolations: string[] }).cspViolations = seen
  document.addEventListener('securitypolicyviolation', (event) =>
    seen.push(`${event.violatedDirective} ${event.blockedURI}`),
  )
}

describe.skipIf(skipReason !== undefined)('personalisation on the demo shop', () => {
  let stack: Awaited<ReturnType<typeof startStack>>
  beforeAll(async () => {
    stack = await startStack(agent)
  })
  afterAll(() => stack?.stop())

  test('host calls made before the widget loads reach the agent: page, cart, trust levels', async () => {
    const { visitor, agentPage, errors, close } = await visitorAndAgent(stack.browser)
    await visitor.addInitScript(watchViolations)

    // The product page queues `page` and `Product Viewed` in its <head>, before the loader.
    await visitor.goto(`${stack.url}/product.html`)
    await visitor.getByRole('button', { name: 'Add to cart' }).click()
    await expect
      .poll(() => visitor.getByRole('status').first().textContent(), poll)
      .toBe('Added to your cart.')

    // Every call answers: a bad one with a typed error, never silently.
    const refused = await visitor.evaluate(async () => {
      const causette = (window as unknown as { Causette: (...args: unknown[]) => Promise<unknown> })
        .Causette
      try {
        await causette('track', 'Product Added', { product_id: 'x', price: '12,50' })
        return 'accepted'
      } catch (error) {
        return (error as { code?: string }).code
      }
    })
    expect(refused).toBe('invalid_argument')
    await visitor.evaluate(() =>
      (window as unknown as { Causette: (...args: unknown[]) => Promise<unknown> }).Causette(
        'set',
        'visitor',
        { plan: 'gold', note: '<img src=x onerror=alert(1)>' },
      ),
    )

    // The visitor asks; the conversation starts with what the page said.
    await visitor.getByRole('button', { name: /^Open chat/ }).click()
    await visitor.getByRole('textbox', { name: 'Message' }).fill('Does it hold water?')
    await visitor.getByRole('button', { name: 'Send', exact: true }).click()
    const visitorLog = visitor.getByRole('log', { name: 'Messages' })
    await expect.poll(() => visitorLog.textContent(), poll).not.toContain('Sending…')

    // The agent sees why the conversation started, the cart and the page, with trust levels.
    await agentPage.goto(`${stack.url}/console/`)
    const agentLog = await openFirstConversation(agentPage, agent)
    await expect.poll(() => agentLog.textContent(), poll).toContain('Does it hold water?')
    const panel = agentPage.getByRole('complementary', { name: 'Visitor' })
    const details = agentPage.getByRole('button', { name: 'Visitor details' })
    if (await details.isVisible()) await details.click()
    await expect.poll(() => panel.textContent(), poll).toContain('Plum vase')
    const text = (await panel.textContent()) ?? ''
    expect(text).toContain('Started by the visitor')
    expect(text).toMatch(/€\s?112\.00|112\.00\s?€/)
    expect(text).toContain('gold')
    expect(text).toContain("From the shop's page")
    // The hostile value is text, not an element.
    expect(text).toContain('<img src=x onerror=alert(1)>')
    expect(await panel.locator('img').count()).toBe(0)

    const violations = await visitor.evaluate(
      () => (window as unknown as { cspViolations: string[] }).cspViolations,
    )
    expect(violations).toEqual([])
    expect(errors).toEqual([])
    await close()
  })

  test('a rule offers help; the visitor answers it; the agent sees the rule and why it matched', async () => {
    const { visitor, agentPage, errors, close } = await visitorAndAgent(stack.browser)

    // An agent is online: the rule's `agents.available` condition asks the server.
    await agentPage.goto(`${stack.url}/console/`)
    await signInToConsole(agentPage, agent)
    await expect
      .poll(() => agentPage.getByRole('status').first().textContent(), poll)
      .toBe('Connected')

    // The demo's rule: 15 s on a product page with more than 100 EUR in the cart.
    await visitor.goto(`${stack.url}/product.html`)
    await visitor.getByRole('button', { name: 'Add to cart' }).click()
    const offer = visitor.getByRole('button', { name: /any question before it is yours/ })
    await offer.waitFor({ timeout: 25_000 })
    await offer.click()
    await visitor.getByRole('textbox', { name: 'Message' }).fill('Is the glaze food safe?')
    await visitor.getByRole('button', { name: 'Send', exact: true }).click()
    const visitorLog = visitor.getByRole('log', { name: 'Messages' })
    await expect.poll(() => visitorLog.textContent(), poll).not.toContain('Sending…')

    // The agent opens it: the rule, its trigger and each condition's verdict are there.
    await agentPage
      .getByRole('list', { name: 'Conversations' })
      .getByRole('button', { name: /Is the glaze food safe\?/ })
      .click()
    const panel = agentPage.getByRole('complementary', { name: 'Visitor' })
    const details = agentPage.getByRole('button', { name: 'Visitor details' })
    if (await details.isVisible()) await details.click()
    await expect.poll(() => panel.textContent(), poll).toContain('Help with a cart over 100 EUR')
    const explanation = panel.getByRole('list', { name: 'How the rule matched' })
    const text = (await explanation.textContent()) ?? ''
    expect(text).toContain('cart.value')
    expect(text).toContain('agents.available')
    expect(text).not.toMatch(/Fail/)
    expect(errors).toEqual([])
    await close()
  }, 60_000)
})

if (skipReason) test.skip(`browser tests skipped: ${skipReason}`, () => undefined)
