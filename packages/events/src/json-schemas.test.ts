import { readdirSync, readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { jsonSchemas } from './json-schemas.js'

const dir = new URL('../../../docs/schemas/', import.meta.url)

test('docs/schemas holds exactly the current JSON Schemas (run `npm run schemas` to refresh)', () => {
  const expected = jsonSchemas()
  const present = readdirSync(dir).filter((file) => file.endsWith('.json'))
  expect(present.sort()).toEqual([...expected.keys()].sort())
  for (const [file, text] of expected) {
    expect(readFileSync(new URL(file, dir), 'utf8'), `${file} is stale`).toBe(text)
  }
})

test('a published schema is a usable JSON Schema document', () => {
  const message = JSON.parse(jsonSchemas().get('message-input.json') ?? '{}')
  expect(message.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
  expect(message.properties.text).toMatchObject({ type: 'string', minLength: 1, maxLength: 4000 })
  expect(message.required).toEqual(['type', 'text'])
})
