import { type ErrorCode, isErrorCode } from './codes.js'

/** Protocol version sent in `hello`. */
export const protocolVersion = 1

/** Highest `seq` the client holds per stream; 0 means "from the start". */
export type Cursors = Record<string, number>

/** One durable item of a stream, as the server stores and replays it. */
export interface StreamItem {
  /** Gapless position in its stream, from 1. */
  readonly seq: number
  /** Id the sender gave it (UUIDv7 or ULID); unique within its stream. */
  readonly id: string
  /** Opaque payload; the transport never looks inside. */
  readonly body: unknown
}

/** Frames a client sends. */
export type ClientFrame =
  | { readonly t: 'hello'; readonly v: number; readonly auth?: string; readonly cursors: Cursors }
  | { readonly t: 'sub'; readonly cursors: Cursors }
  | { readonly t: 'unsub'; readonly streams: readonly string[] }
  | { readonly t: 'send'; readonly id: string; readonly stream: string; readonly body: unknown }
  | { readonly t: 'signal'; readonly topic: string; readonly body: unknown }
  | { readonly t: 'ping'; readonly n: number }
  | { readonly t: 'pong'; readonly n: number }

/** Frames a server sends. */
export type ServerFrame =
  | { readonly t: 'welcome'; readonly heartbeatMs: number; readonly maxFrameBytes: number }
  | { readonly t: 'items'; readonly stream: string; readonly items: readonly StreamItem[] }
  | { readonly t: 'ack'; readonly id: string; readonly stream: string; readonly seq: number }
  | { readonly t: 'signal'; readonly topic: string; readonly body: unknown }
  | {
      readonly t: 'error'
      readonly code: ErrorCode
      readonly message: string
      /** The `id` of the `send` this answers, or the stream it concerns. */
      readonly ref?: string
      readonly retryMs?: number
    }
  | { readonly t: 'ping'; readonly n: number }
  | { readonly t: 'pong'; readonly n: number }

export type DecodeResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string }

/** Limits the decoder enforces on identifiers, whatever the application allows. */
export const identifierLimits = {
  /** Longest stream name, topic or id, in characters. */
  maxLength: 200,
  /** Most streams in one `hello` or `sub`. */
  maxStreams: 500,
} as const

const fail = (error: string): DecodeResult<never> => ({ ok: false, error })

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= identifierLimits.maxLength
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function parseCursors(value: unknown): Cursors | undefined {
  if (!isRecord(value)) return undefined
  const keys = Object.keys(value)
  if (keys.length > identifierLimits.maxStreams) return undefined
  const cursors: Cursors = Object.create(null)
  for (const key of keys) {
    const seq = value[key]
    if (!isName(key) || !isSeq(seq)) return undefined
    cursors[key] = seq
  }
  return cursors
}

function parseJson(text: string): DecodeResult<Record<string, unknown>> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return fail('frame is not valid JSON')
  }
  if (!isRecord(value)) return fail('frame is not a JSON object')
  return { ok: true, value }
}

/** Frames both sides send with the same shape: `signal`, `ping`, `pong`. */
type SharedFrame = Extract<ClientFrame, { t: 'signal' | 'ping' | 'pong' }>

function decodeSharedFrame(f: Record<string, unknown>): DecodeResult<SharedFrame> {
  switch (f.t) {
    case 'signal':
      if (!isName(f.topic) || f.body === undefined) return fail('signal needs topic and body')
      return { ok: true, value: { t: 'signal', topic: f.topic, body: f.body } }
    case 'ping':
    case 'pong':
      if (!isSeq(f.n)) return fail(`${f.t} needs n`)
      return { ok: true, value: { t: f.t, n: f.n } }
    default:
      return fail('unknown frame type')
  }
}

/** Decodes a frame received by the server. Never throws. */
export function decodeClientFrame(text: string): DecodeResult<ClientFrame> {
  const parsed = parseJson(text)
  if (!parsed.ok) return parsed
  const f = parsed.value
  switch (f.t) {
    case 'hello': {
      const cursors = parseCursors(f.cursors ?? {})
      if (typeof f.v !== 'number' || !cursors) return fail('hello needs v and cursors')
      if (f.auth !== undefined && (typeof f.auth !== 'string' || f.auth.length > 4096))
        return fail('hello.auth must be a string of at most 4096 characters')
      return {
        ok: true,
        value:
          f.auth === undefined
            ? { t: 'hello', v: f.v, cursors }
            : { t: 'hello', v: f.v, auth: f.auth, cursors },
      }
    }
    case 'sub': {
      const cursors = parseCursors(f.cursors)
      return cursors ? { ok: true, value: { t: 'sub', cursors } } : fail('sub needs cursors')
    }
    case 'unsub': {
      const { streams } = f
      if (
        !Array.isArray(streams) ||
        streams.length > identifierLimits.maxStreams ||
        !streams.every(isName)
      )
        return fail('unsub needs streams')
      return { ok: true, value: { t: 'unsub', streams } }
    }
    case 'send':
      if (!isName(f.id) || !isName(f.stream) || f.body === undefined)
        return fail('send needs id, stream and body')
      return { ok: true, value: { t: 'send', id: f.id, stream: f.stream, body: f.body } }
    default:
      return decodeSharedFrame(f)
  }
}

function parseItem(value: unknown): StreamItem | undefined {
  if (!isRecord(value) || !isSeq(value.seq) || !isName(value.id) || value.body === undefined)
    return undefined
  return { seq: value.seq, id: value.id, body: value.body }
}

/** Decodes a frame received by the client. Never throws; its errors are terse (the browser bundle pays for every string). */
export function decodeServerFrame(text: string): DecodeResult<ServerFrame> {
  const parsed = parseJson(text)
  if (!parsed.ok) return parsed
  const f = parsed.value
  switch (f.t) {
    case 'welcome':
      if (typeof f.heartbeatMs !== 'number' || typeof f.maxFrameBytes !== 'number')
        return fail(`malformed ${String(f.t)}`)
      return {
        ok: true,
        value: { t: 'welcome', heartbeatMs: f.heartbeatMs, maxFrameBytes: f.maxFrameBytes },
      }
    case 'items': {
      if (!isName(f.stream) || !Array.isArray(f.items)) return fail(`malformed ${String(f.t)}`)
      const items: StreamItem[] = []
      for (const raw of f.items) {
        const item = parseItem(raw)
        if (!item) return fail(`malformed ${String(f.t)}`)
        items.push(item)
      }
      return { ok: true, value: { t: 'items', stream: f.stream, items } }
    }
    case 'ack':
      if (!isName(f.id) || !isName(f.stream) || !isSeq(f.seq))
        return fail(`malformed ${String(f.t)}`)
      return { ok: true, value: { t: 'ack', id: f.id, stream: f.stream, seq: f.seq } }
    case 'error': {
      if (!isErrorCode(f.code) || typeof f.message !== 'string')
        return fail(`malformed ${String(f.t)}`)
      const value: {
        t: 'error'
        code: ErrorCode
        message: string
        ref?: string
        retryMs?: number
      } = { t: 'error', code: f.code, message: f.message }
      if (typeof f.ref === 'string') value.ref = f.ref
      if (isSeq(f.retryMs)) value.retryMs = f.retryMs
      return { ok: true, value }
    }
    default:
      return decodeSharedFrame(f)
  }
}

/** Encodes a frame for the wire. */
export function encodeFrame(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(frame)
}
