import { hostEventNames } from '@causette/events'
import { describe, expect, test, vi } from 'vitest'
import { type ForwardScope, forwardEvent, forwardedProperties } from './forward-event.js'
import { ruleMatch } from './test-support.js'

describe('forwarding chat events', () => {
  test('Segment gets the Live Chat spec events; dataLayer gets causette.* events', () => {
    const track = vi.fn()
    const scope: ForwardScope = { analytics: { track } }
    const all = { segment: true, dataLayer: true }
    forwardEvent(
      'conversation:started',
      { conversationId: 'c1', trigger: ruleMatch('r1') },
      all,
      scope,
    )
    forwardEvent('conversation:ended', { conversationId: 'c1', reason: 'closed' }, all, scope)
    forwardEvent(
      'message:sent',
      { conversationId: 'c1', messageId: 'm1', seq: 1, text: 'my address is…' },
      all,
      scope,
    )
    forwardEvent(
      'message:received',
      {
        conversationId: 'c1',
        messageId: 'm2',
        seq: 2,
        text: 'Your order ships today',
        at: '2025-01-01T10:00:00.000Z',
        author: { role: 'agent', name: 'Ada' },
      },
      all,
      scope,
    )
    forwardEvent('open', { source: 'launcher' }, all, scope)
    expect(track.mock.calls).toEqual([
      ['Live Chat Conversation Started', { conversation_id: 'c1', rule_id: 'r1' }],
      ['Live Chat Conversation Ended', { conversation_id: 'c1', reason: 'closed' }],
      ['Live Chat Message Sent', { conversation_id: 'c1', message_id: 'm1' }],
      ['Live Chat Message Received', { conversation_id: 'c1', message_id: 'm2' }],
    ])
    expect(scope.dataLayer).toEqual([
      {
        event: 'causette.conversation_started',
        causette: { conversation_id: 'c1', rule_id: 'r1' },
      },
      {
        event: 'causette.conversation_ended',
        causette: { conversation_id: 'c1', reason: 'closed' },
      },
      { event: 'causette.message_sent', causette: { conversation_id: 'c1', message_id: 'm1' } },
      { event: 'causette.message_received', causette: { conversation_id: 'c1', message_id: 'm2' } },
      { event: 'causette.open', causette: { source: 'launcher' } },
    ])
  })

  test('never forwards message text, names or comments, whatever the event', () => {
    const payload = {
      conversationId: 'c1',
      messageId: 'm1',
      text: 'SECRET',
      author: { role: 'agent', name: 'SECRET' },
      comment: 'SECRET',
      rating: 5,
      code: 'network',
      message: 'SECRET',
    }
    for (const name of hostEventNames) {
      const forwarded = forwardedProperties(name, payload as never)
      expect(JSON.stringify(forwarded ?? {})).not.toContain('SECRET')
    }
    expect(forwardedProperties('error', payload as never)).toBeUndefined()
    expect(forwardedProperties('unread', { count: 3 })).toBeUndefined()
  })

  test('nothing is forwarded where it was not asked for, and a missing analytics is fine', () => {
    const scope: ForwardScope = {}
    forwardEvent('open', { source: 'api' }, {}, scope)
    forwardEvent(
      'conversation:ended',
      { conversationId: 'c1', reason: 'reset' },
      { segment: true },
      scope,
    )
    expect(scope).toEqual({})
  })
})
