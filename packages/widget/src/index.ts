export type {
  CartSnapshot,
  ConsentCategory,
  ConsentState,
  ConsentUpdate,
  ContextScope,
  ContextUpdate,
  ContextValues,
  HostErrorCode,
  HostEventHandler,
  HostEventName,
  HostEvents,
  InitOptions,
  PageSnapshot,
  PageViewInput,
  ProactiveMessage,
  RuleMatch,
  RuleSet,
  TokenProvider,
  TrackEvent,
} from '@causette/events'
export { CausetteError } from './causette-error.js'
export type { Unsubscribe } from './create-emitter.js'
export type { IdentifyResult } from './create-identity.js'
export type { InitResult, InitSettings, Widget } from './create-widget.js'
export { createWidget } from './create-widget.js'
export type { ForwardTargets } from './forward-event.js'
export type { CausetteGlobal } from './install-global.js'
export type { NormalizeTrack } from './normalize-track.js'
export { normalizeTrack } from './normalize-track.js'
export type { WidgetOptions } from './options.js'
export type { RuleSignalOptions } from './rules/attach-rule-signals.js'
export { attachRuleSignals } from './rules/attach-rule-signals.js'
export type {
  RuleClock,
  RuleRunner,
  RuleRunnerOptions,
  RuleStateStore,
} from './rules/create-rule-runner.js'
export { createRuleRunner } from './rules/create-rule-runner.js'
export type {
  ProactiveOutcome,
  WidgetExtension,
  WidgetHost,
  WidgetSignal,
} from './widget-host.js'
