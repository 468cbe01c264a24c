import { expect, test } from 'vitest'
import { decode } from './decode.js'
import { HostEventName, hostEventSchemas } from './host-events.js'
import { hostEventNames } from './host-names.js'

test('every event name has a payload schema, and no schema lacks a name', () => {
  expect(Object.keys(hostEventSchemas)).toEqual([...hostEventNames])
  expect(decode(HostEventName, 'message:received').ok).toBe(true)
  expect(decode(HostEventName, 'message:recieved').ok).toBe(false)
})

test('payload schemas accept what the widget emits and refuse wrong shapes', () => {
  const good = {
    ready: { conversationId: null },
    open: { source: 'proactive' },
    close: { source: 'visitor' },
    unread: { count: 2 },
    'conversation:started': {
      conversationId: 'c1',
      trigger: {
        rule_id: 'r1',
        rule_name: 'Cart help',
        trigger: { type: 'timer', after_s: 30 },
        matched_at: 1_700_000_000_000,
        explanation: {
          enabled: true,
          conditions: { kind: 'all', pass: true, reason: 'none', children: [] },
        },
      },
    },
    'conversation:ended': { conversationId: 'c1', reason: 'reset' },
    'message:sent': { conversationId: 'c1', messageId: 'm1', seq: 3, text: 'Hi' },
    'message:received': {
      conversationId: 'c1',
      messageId: 'm2',
      seq: 4,
      text: 'Hello',
      at: '2025-01-01T10:00:00.000Z',
      author: { role: 'agent', name: 'Ada' },
    },
    'proactive:shown': { text: 'Need help?', ruleId: null },
    'proactive:dismissed': { ruleId: 'r1', via: 'escape' },
    'rating:submitted': { conversationId: 'c1', rating: 5 },
    error: { code: 'network', message: 'offline', retryable: true },
  } as const
  for (const name of hostEventNames) {
    expect(decode(hostEventSchemas[name], good[name]).ok, name).toBe(true)
  }
  expect(decode(hostEventSchemas.unread, { count: -1 }).ok).toBe(false)
  expect(decode(hostEventSchemas['rating:submitted'], { conversationId: 'c', rating: 6 }).ok).toBe(
    false,
  )
  expect(
    decode(hostEventSchemas['message:received'], {
      ...good['message:received'],
      author: { role: 'visitor' },
    }).ok,
  ).toBe(false)
})
