import type * as z from 'zod/mini'

/**
 * Stable codes of commerce errors: `invalid_argument` (wrong shape or value), `limit_exceeded`
 * (a documented limit is passed), `currency_mismatch` (an amount in another currency than the cart's).
 */
export type CommerceErrorCode = 'invalid_argument' | 'limit_exceeded' | 'currency_mismatch'

/** A typed error about commerce input; `message` starts with `path` when there is one. */
export interface CommerceError {
  readonly code: CommerceErrorCode
  /** Dotted path of the offending value, such as `properties.products.0.price`; `''` for the whole input. */
  readonly path: string
  readonly message: string
}

/** The outcome of validating untrusted commerce input; never thrown. */
export type CommerceResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: CommerceError }

/** Builds a commerce error whose message names the path. */
export function commerceError(
  code: CommerceErrorCode,
  path: readonly PropertyKey[],
  message: string,
): CommerceError {
  const at = path.map(String).join('.')
  return { code, path: at, message: at ? `${at}: ${message}` : message }
}

const units: Record<string, string> = { string: ' characters', array: ' items' }

// zod/mini ships no error messages (they would cost bytes in the browser), so the message is
// written here from the issue's fields: stable whatever locale the host page configured.
function fromIssue(issue: z.core.$ZodIssue, parent: readonly PropertyKey[]): CommerceError {
  const path = [...parent, ...issue.path]
  switch (issue.code) {
    case 'too_big':
      return commerceError(
        'limit_exceeded',
        path,
        `at most ${issue.maximum}${units[issue.origin] ?? ''} allowed`,
      )
    case 'too_small':
      return commerceError(
        'invalid_argument',
        path,
        issue.origin === 'string' && issue.minimum === 1
          ? 'must not be empty'
          : `at least ${issue.minimum}${units[issue.origin] ?? ''} required`,
      )
    case 'invalid_type':
      return commerceError(
        'invalid_argument',
        path,
        issue.input === undefined ? 'required' : `expected ${issue.expected}`,
      )
    case 'invalid_value':
      return commerceError(
        'invalid_argument',
        path,
        `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`,
      )
    case 'invalid_format':
      return commerceError(
        'invalid_argument',
        path,
        issue.format === 'url' ? 'expected an http or https URL' : `expected ${issue.format}`,
      )
    case 'invalid_union': {
      // Report the branch that got furthest: for `31,10` against number | decimal string, the
      // string branch's complaint, not "expected number".
      const branch = issue.errors.find((b) => b[0]?.code !== 'invalid_type') ?? issue.errors[0]
      const first = branch?.[0]
      if (first) return fromIssue(first, path)
      return commerceError('invalid_argument', path, 'matches none of the accepted shapes')
    }
    case 'invalid_key':
    case 'invalid_element': {
      const first = issue.issues[0]
      return first ? fromIssue(first, path) : commerceError('invalid_argument', path, 'invalid key')
    }
    case 'custom': {
      const code = issue.params?.code
      return commerceError(
        code === 'limit_exceeded' ? 'limit_exceeded' : 'invalid_argument',
        path,
        issue.message,
      )
    }
    default:
      return commerceError('invalid_argument', path, 'invalid value')
  }
}

/** Validates untrusted input against a schema into a typed commerce error; never throws. */
export function decodeCommerce<S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
): CommerceResult<z.output<S>> {
  // reportInput lets the message tell a missing value ("required") from a wrong one; the input
  // itself never goes into the message (it may be personal data).
  const result = schema.safeParse(input, { reportInput: true })
  if (result.success) return { ok: true, value: result.data }
  const issue = result.error.issues[0]
  return {
    ok: false,
    error: issue ? fromIssue(issue, []) : commerceError('invalid_argument', [], 'invalid input'),
  }
}
