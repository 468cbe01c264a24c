/**
 * Keys that would reach an object's prototype: refused everywhere a key or a path is accepted
 * (context, custom event properties, rule facts).
 */
export const reservedKeys: readonly string[] = ['__proto__', 'constructor', 'prototype']

/** What a key looks like: a letter, then letters, digits or `_`. */
export const keyPattern = /^[a-z][a-z0-9_]*$/i

/** Whether `key` is a key of at most `max` characters that names no prototype member. */
export function isSafeKey(key: string, max: number): boolean {
  return key.length <= max && keyPattern.test(key) && !reservedKeys.includes(key)
}
