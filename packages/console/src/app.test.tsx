import { conversationStream, inboxTopic } from '@causette/events'
import { render } from 'preact'
import { act } from 'preact/test-utils'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { ApiError } from './api-error.js'
import { App } from './app.js'
import { createFakeTransport, type FakeTransport } from './fake-transport.js'
import { accessibleText, conversation, fakeApi, session, settle } from './test-support.js'

function chatItem(seq: number, id: string, text: string, role: 'visitor' | 'agent') {
  return {
    seq,
    id,
    body: {
      kind: 'message',
      author: role === 'agent' ? { role, id: 'ag1', name: 'Alex' } : { role, id: 'v1' },
      content: { type: 'text', text },
      at: '2025-03-01T10:30:00.000Z',
    },
  }
}

let root: HTMLElement
let $: (selector: string) => HTMLElement | null
let $$: (selector: string) => HTMLElement[]

function button(name: string): HTMLButtonElement {
  const found = $$('button').find((b) => accessibleText(b) === name)
  if (!found) throw new Error(`no button named ${name}`)
  return found as HTMLButtonElement
}

function labelled(name: string): HTMLInputElement | HTMLTextAreaElement {
  const label = $$('label').find((l) => accessibleText(l) === name)
  const control = label && root.querySelector(`#${CSS.escape(label.getAttribute('for') ?? '')}`)
  if (!control) throw new Error(`no control labelled ${name}`)
  return control as HTMLInputElement | HTMLTextAreaElement
}

async function type(control: HTMLInputElement | HTMLTextAreaElement, text: string) {
  await act(() => {
    control.value = text
    control.dispatchEvent(new Event('input', { bubbles: true }))
  })
}

beforeEach(() => {
  root = document.createElement('div')
  document.body.append(root)
  $ = (selector) => root.querySelector(selector)
  $$ = (selector) => Array.from(root.querySelectorAll(selector))
})

afterEach(() => {
  render(null, root)
  root.remove()
})

describe('App', () => {
  test('signs in, lists and updates conversations, answers, and signs out', async () => {
    const { api, calls, answers } = fakeApi()
    const transports: FakeTransport[] = []
    const openTransport = () => {
      const fake = createFakeTransport()
      transports.push(fake)
      return fake.transport
    }
    await act(() => render(<App api={api} openTransport={openTransport} />, root))
    await settle()

    // Sign-in: a wrong password shows an alert.
    expect(accessibleText($('h1') as HTMLElement)).toBe('Sign in')
    answers.signIn.push({
      ok: false,
      error: new ApiError('unauthorized', 'wrong', { status: 401 }),
    })
    await type(labelled('Email'), ' alex@shop.test ')
    await type(labelled('Password'), 'nope')
    await act(() => button('Sign in').click())
    await settle()
    expect($('[role="alert"]')?.textContent).toBe('Wrong email or password.')
    expect(transports).toHaveLength(0)

    // Signed in: the list, most recent first.
    answers.signIn.push({ ok: true, value: session })
    answers.conversations.push({
      ok: true,
      value: [
        conversation('bbbb', 5, 1, 'Do you ship to Lyon?'),
        conversation('aaaa', 2, 1, 'Hello'),
      ],
    })
    await act(() => button('Sign in').click())
    await settle()
    expect(calls).toEqual([
      'session',
      'signIn alex@shop.test',
      'signIn alex@shop.test',
      'conversations',
    ])
    const fake = transports[0] as FakeTransport
    expect(accessibleText($('h1') as HTMLElement)).toBe('Conversations')
    const names = () => $$('ul[aria-label="Conversations"] button').map(accessibleText)
    expect(names()).toEqual(['Visitor bbbb-vis Do you ship to Lyon?', 'Visitor aaaa-vis Hello'])
    expect($('[role="status"]')?.textContent).toBe('Connecting…')

    // Connected: the list is fetched again (signals are not replayed).
    answers.conversations.push({
      ok: true,
      value: [
        conversation('bbbb', 5, 1, 'Do you ship to Lyon?'),
        conversation('aaaa', 2, 1, 'Hello'),
      ],
    })
    await act(() => fake.setState({ status: 'open', via: 'ws' }))
    await settle()
    expect(calls.filter((c) => c === 'conversations')).toHaveLength(2)
    expect($('[role="status"]')?.textContent).toBe('Connected')

    // An inbox signal moves a conversation up with its new preview; a malformed one is ignored.
    await act(() => {
      fake.signal(inboxTopic('demo'), {
        type: 'conversation.updated',
        conversation: conversation('aaaa', 8, 2, 'Is the vase dishwasher safe?'),
      })
      fake.signal(inboxTopic('demo'), { type: 'conversation.updated', conversation: { id: 'x' } })
    })
    expect(names()).toEqual([
      'Visitor aaaa-vis Is the vase dishwasher safe?',
      'Visitor bbbb-vis Do you ship to Lyon?',
    ])

    // Selecting follows the stream from the start and shows its items as text.
    await act(() => button('Visitor aaaa-vis Is the vase dishwasher safe?').click())
    const stream = conversationStream('aaaa')
    expect(fake.followed.get(stream)).toBe(0)
    await act(() =>
      fake.deliver(stream, [
        chatItem(1, 'm1', 'Hello', 'visitor'),
        chatItem(2, 'm2', '<b>Is the vase dishwasher safe?</b>', 'visitor'),
      ]),
    )
    const log = $('[role="log"][aria-label="Messages"]') as HTMLElement
    expect($$('[role="log"] li').map(accessibleText)).toEqual([
      expect.stringMatching(/^Visitor .*Hello$/),
      expect.stringMatching(/^Visitor .*<b>Is the vase dishwasher safe\?<\/b>$/),
    ])
    expect(log.querySelector('b')).toBeNull()

    // An empty reply is refused before sending.
    const reply = labelled('Reply')
    await type(reply, '   ')
    await act(() => button('Send').click())
    expect($('[role="alert"]')?.textContent).toBe('Write a reply before sending.')
    expect(fake.sent).toHaveLength(0)

    // Enter sends the trimmed reply; it shows as sending until acknowledged.
    await type(reply, '  Hand wash only.  ')
    await act(() => {
      reply.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }),
      )
    })
    expect(fake.sent.map((e) => [e.stream, e.body])).toEqual([
      [stream, { type: 'text', text: 'Hand wash only.' }],
    ])
    expect(reply.value).toBe('')
    const last = () => accessibleText($$('[role="log"] li').at(-1) as HTMLElement)
    expect(last()).toMatch(/^You .*Hand wash only\. Sending…$/)
    const id = fake.sent[0]?.id ?? ''
    fake.ack(id, 3)
    await settle()
    expect(last()).toMatch(/^You .*Hand wash only\.$/)
    await act(() => fake.deliver(stream, [chatItem(3, id, 'Hand wash only.', 'agent')]))
    expect($$('[role="log"] li')).toHaveLength(3)

    // Shift+Enter does not send; a refused reply shows its typed error.
    await type(reply, 'x'.repeat(10))
    await act(() => {
      reply.dispatchEvent(
        new KeyboardEvent('keydown', {
          key: 'Enter',
          shiftKey: true,
          bubbles: true,
          cancelable: true,
        }),
      )
    })
    expect(fake.sent).toHaveLength(1)
    await act(() => button('Send').click())
    fake.reject(fake.sent[1]?.id ?? '', 'invalid_payload')
    await settle()
    expect(last()).toContain(
      'Not sent. The server refused this reply as invalid (invalid_payload).',
    )

    // Signing out closes the connection and returns to the sign-in form.
    await act(() => button('Sign out').click())
    await settle()
    expect(calls.at(-1)).toBe('signOut csrf-1')
    expect(fake.closed).toBe(true)
    expect(accessibleText($('h1') as HTMLElement)).toBe('Sign in')
    expect(root.textContent).toContain('You are signed out.')
  })

  test('a session that ends on the server returns to sign-in', async () => {
    const { api, answers } = fakeApi()
    answers.session = { ok: true, value: session }
    const fake = createFakeTransport()
    await act(() => render(<App api={api} openTransport={() => fake.transport} />, root))
    await settle()
    expect(accessibleText($('h1') as HTMLElement)).toBe('Conversations')
    await act(() => fake.setState({ status: 'closed', reason: 'unauthorized' }))
    expect(accessibleText($('h1') as HTMLElement)).toBe('Sign in')
    expect(root.textContent).toContain('Your session has ended. Sign in again.')
  })
})
