import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { CloseCodes, ErrorCodes } from './codes.js'

const doc = readFileSync(new URL('../../../../docs/protocol.md', import.meta.url), 'utf8')

test('docs/protocol.md lists every error code with its retry rule', () => {
  for (const [code, { retryable }] of Object.entries(ErrorCodes)) {
    const row = doc.split('\n').find((line) => new RegExp(`^\\| \`${code}\`\\s+\\|`).test(line))
    expect(row, `error code ${code} is missing from docs/protocol.md`).toBeDefined()
    expect(
      row
        ?.split('|')[2]
        ?.trim()
        .startsWith(retryable ? 'yes' : 'no'),
      `retry rule of ${code}`,
    ).toBe(true)
  }
})

test('docs/protocol.md lists every close code', () => {
  for (const code of Object.values(CloseCodes)) {
    expect(doc, `close code ${code} is missing from docs/protocol.md`).toMatch(
      new RegExp(`^\\| ${code}\\s+\\|`, 'm'),
    )
  }
})
