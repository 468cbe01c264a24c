/**
 * Limits on commerce events and snapshots, enforced by their schemas and answered with
 * `limit_exceeded` (docs/events.md, "Limits"). They bound what one page can make the widget hold,
 * send and show to agents.
 */
export const commerceLimits = {
  /** Characters in an event name. */
  eventNameMax: 64,
  /** Characters in a property key of a custom event. */
  keyMax: 64,
  /** Properties on one custom event. */
  propertiesMax: 50,
  /** Characters in a string value: ids, names, categories, custom property values. */
  stringMax: 512,
  /** Characters in a URL. */
  urlMax: 2_048,
  /** Characters in free text: a review body, a share message. */
  textMax: 2_048,
  /** Products in one event (`products[]`; GA4 `items[]`; legacy `products[]` and `impressions[]`). */
  itemsMax: 100,
  /** Filters, and sorts, on one Product List Filtered event. */
  filtersMax: 20,
  /** Lines in a cart snapshot. */
  cartLinesMax: 100,
  /** Units of one product in one event or one cart line. */
  quantityMax: 10_000,
  /** Largest amount in one money field, in major units: below 2^53, so whole amounts stay exact. */
  amountMax: 1e15,
  /** Characters in a number given as a decimal string (`'31.10'`). */
  numberStringMax: 32,
} as const
