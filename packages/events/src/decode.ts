import type * as z from 'zod/mini'

export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string }

/** Validates untrusted input against a schema; never throws. */
export function decode<S extends z.ZodMiniType>(schema: S, input: unknown): Decoded<z.output<S>> {
  const result = schema.safeParse(input)
  if (result.success) return { ok: true, value: result.data }
  const issue = result.error.issues[0]
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
  return {
    ok: false,
    error: `${where}${issue?.message ?? 'invalid input'} (${issue?.code ?? 'invalid'})`,
  }
}
