import { describe, expect, test } from 'vitest'
import { linkify } from './linkify.js'

describe('linkify', () => {
  test('links http, https and mailto, leaving trailing punctuation as text', () => {
    expect(linkify('See https://shop.test/a?b=1. Or mailto:help@shop.test!')).toEqual([
      { type: 'text', text: 'See ' },
      { type: 'link', text: 'https://shop.test/a?b=1', href: 'https://shop.test/a?b=1' },
      { type: 'text', text: '. Or ' },
      { type: 'link', text: 'mailto:help@shop.test', href: 'mailto:help@shop.test' },
      { type: 'text', text: '!' },
    ])
  })

  test('never links other schemes', () => {
    for (const text of [
      'javascript:alert(1)',
      'data:text/html,<b>x</b>',
      'vbscript:x',
      'file:///etc',
    ]) {
      expect(linkify(text)).toEqual([{ type: 'text', text }])
    }
  })

  test('plain text stays one segment, and empty text none', () => {
    expect(linkify('<img src=x onerror=alert(1)>')).toEqual([
      { type: 'text', text: '<img src=x onerror=alert(1)>' },
    ])
    expect(linkify('')).toEqual([])
  })
})
