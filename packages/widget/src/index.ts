export type { Widget } from './create-widget.js'
export { createWidget } from './create-widget.js'
export type { WidgetOptions } from './options.js'
