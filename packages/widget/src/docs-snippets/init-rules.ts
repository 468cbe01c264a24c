import type { RuleSet, Widget } from '@causette/widget'

declare const widget: Widget

// Rules are data (docs/rules.md): after 30 s on the checkout page with more than 100 EUR in
// the cart and an agent online, offer help; a reply goes to the experts with this rule attached.
const rules: RuleSet = {
  max_proactive_per_session: 1,
  time_zone: 'Europe/Paris',
  rules: [
    {
      id: 'checkout-help',
      name: 'Help with a large checkout',
      enabled: true,
      priority: 10,
      trigger: { type: 'timer', after_s: 30 },
      conditions: {
        all: [
          { fact: 'page.type', op: 'eq', value: 'checkout' },
          { fact: 'cart.value', op: 'gt', value: { amount: 100, currency: 'EUR' } },
          { fact: 'conversation.active', op: 'is_false' },
          { fact: 'agents.available', op: 'gte', value: 1 },
        ],
      },
      actions: [
        { type: 'proactive_message', text: 'Any question about your order?' },
        { type: 'route', team: 'experts' },
      ],
      frequency: { per: 'visitor', max: 1, until: 'engaged' },
    },
  ],
}

await widget.init({ rules })
widget.on('proactive:shown', ({ ruleId }) => console.log('offered help', ruleId))
