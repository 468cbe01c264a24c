import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { browserMissing, openFirstConversation, startStack, visitorAndAgent } from './browser.js'

const skipReason = browserMissing()
const agent = { email: 'agent@shop.test', password: 'e2e-password-1234' }
/** Waits for what a person would wait for: up to 10 s for the page to show it. */
const poll = { timeout: 10_000, interval: 50 }

describe.skipIf(skipReason !== undefined)('visitor on the shop, agent in the console', () => {
  let stack: Awaited<ReturnType<typeof startStack>>
  beforeAll(async () => {
    stack = await startStack(agent)
  })
  afterAll(() => stack?.stop())

  test('the visitor writes, the agent answers, the visitor sees the answer, and after a reload too', async () => {
    const { visitor, agentPage, errors, close } = await visitorAndAgent(stack.browser)

    // The visitor, on the demo shop, opens the chat and asks.
    await visitor.goto(`${stack.url}/`)
    await visitor.getByRole('button', { name: 'Open chat' }).click()
    const visitorLog = visitor.getByRole('log', { name: 'Messages' })
    await visitor
      .getByRole('textbox', { name: 'Message' })
      .fill('Is the plum vase dishwasher safe?')
    await visitor.getByRole('button', { name: 'Send', exact: true }).click()
    await expect
      .poll(() => visitorLog.textContent(), poll)
      .toContain('Is the plum vase dishwasher safe?')
    await expect.poll(() => visitorLog.textContent(), poll).not.toContain('Sending…')

    // The agent signs in, finds the conversation, reads and answers.
    await agentPage.goto(`${stack.url}/console/`)
    const agentLog = await openFirstConversation(agentPage, agent)
    await expect
      .poll(() => agentLog.textContent(), poll)
      .toContain('Is the plum vase dishwasher safe?')
    await agentPage.getByRole('textbox', { name: 'Reply' }).fill('Hand wash only, I am afraid.')
    await agentPage.getByRole('button', { name: 'Send', exact: true }).click()
    await expect.poll(() => agentLog.textContent(), poll).toContain('Hand wash only, I am afraid.')

    // The visitor sees the answer in real time.
    await expect
      .poll(() => visitorLog.textContent(), poll)
      .toContain('Hand wash only, I am afraid.')

    // A later message from the visitor reaches the agent live, without a reload.
    await visitor.getByRole('textbox', { name: 'Message' }).fill('Thanks! I will take it.')
    await visitor.keyboard.press('Enter')
    await expect.poll(() => agentLog.textContent(), poll).toContain('Thanks! I will take it.')

    // After a reload the visitor keeps its identity and its history, in order.
    await visitor.reload()
    await visitor.getByRole('button', { name: /^Open chat/ }).click()
    await expect
      .poll(() => visitorLog.textContent(), poll)
      .toContain('Hand wash only, I am afraid.')
    const texts = await visitorLog.getByRole('listitem').allTextContents()
    const order = [
      'Is the plum vase dishwasher safe?',
      'Hand wash only, I am afraid.',
      'Thanks! I will take it.',
    ]
    const positions = order.map((text) => texts.findIndex((t) => t.includes(text)))
    expect(positions.every((p) => p >= 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)

    // Stored once each.
    const conversations = await stack.server.store.listConversations({
      siteIds: ['demo'],
      status: 'open',
      limit: 10,
    })
    expect(conversations).toHaveLength(1)
    const stored = await stack.server.store.replay(conversations[0]?.id ?? '', 0, 100)
    expect(stored.map((item) => item.seq)).toEqual([1, 2, 3])
    expect(errors).toEqual([])
    await close()
  })
})

if (skipReason) {
  test.skip(`browser tests skipped: ${skipReason}`, () => undefined)
}

describe.skipIf(skipReason !== undefined)('WebSocket blocked in the browser', () => {
  let stack: Awaited<ReturnType<typeof startStack>>
  beforeAll(async () => {
    stack = await startStack(agent)
  })
  afterAll(() => stack?.stop())

  test('the visitor chats over long-poll when every WebSocket is refused, and nothing is doubled', async () => {
    // A proxy that refuses WebSocket: every upgrade of the visitor's page is closed at once.
    const { visitor, agentPage, close } = await visitorAndAgent(stack.browser, (context) =>
      context.routeWebSocket(/\/transport/, (ws) => ws.close({ code: 1006 })),
    )

    await visitor.goto(`${stack.url}/`)
    await visitor.getByRole('button', { name: 'Open chat' }).click()
    const visitorLog = visitor.getByRole('log', { name: 'Messages' })
    await visitor.getByRole('textbox', { name: 'Message' }).fill('Hello from behind a strict proxy')
    await visitor.getByRole('button', { name: 'Send', exact: true }).click()
    await expect.poll(() => visitorLog.textContent(), poll).not.toContain('Sending…')

    await agentPage.goto(`${stack.url}/console/`)
    const agentLog = await openFirstConversation(agentPage, agent)
    await expect
      .poll(() => agentLog.textContent(), poll)
      .toContain('Hello from behind a strict proxy')
    await agentPage.getByRole('textbox', { name: 'Reply' }).fill('Long-poll works fine.')
    await agentPage.getByRole('button', { name: 'Send', exact: true }).click()
    await expect.poll(() => visitorLog.textContent(), poll).toContain('Long-poll works fine.')

    const items = await visitorLog.getByRole('listitem').allTextContents()
    expect(items.filter((t) => t.includes('Hello from behind a strict proxy'))).toHaveLength(1)
    expect(items.filter((t) => t.includes('Long-poll works fine.'))).toHaveLength(1)
    expect(stack.server.chat.transport.stats().polls).toBeGreaterThan(0)
    await close()
  })
})
