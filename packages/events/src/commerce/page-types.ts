/**
 * What kind of page the visitor is on: the members of `PageType`, kept apart from the schema so
 * that code without zod (the rules' fact catalogue) reads the same list.
 */
export const pageTypes = [
  'home',
  'category',
  'product',
  'search',
  'cart',
  'checkout',
  'confirmation',
  'account',
  'other',
] as const
