/**
 * The widget's styles, adopted into its shadow root as a constructable stylesheet (no inline
 * `<style>` or `style=`: they would need `unsafe-inline` in the shop's CSP). `:host { all: initial }`
 * stops the host page's inherited font, colour and line-height from leaking in.
 * Theme through the documented custom properties on the host element.
 */
export const widgetCss = `
:host {
  all: initial;
  --causette-accent: #3b5bdb;
  --causette-accent-text: #fff;
  --causette-bg: #fff;
  --causette-text: #1f2328;
  --causette-muted: #59636e;
  --causette-radius: 14px;
  --causette-font: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  position: fixed;
  right: 20px;
  bottom: 20px;
  z-index: 2147483000;
  font-family: var(--causette-font);
  font-size: 16px;
  line-height: 1.4;
  color: var(--causette-text);
}
*, *::before, *::after { box-sizing: border-box; }
button { font: inherit; cursor: pointer; }
:focus-visible { outline: 3px solid var(--causette-accent); outline-offset: 2px; }
.launcher {
  width: 56px; height: 56px; border: 0; border-radius: 50%;
  background: var(--causette-accent); color: var(--causette-accent-text);
  box-shadow: 0 4px 14px rgb(0 0 0 / 25%);
  display: grid; place-items: center; position: relative; margin-left: auto;
}
.launcher svg { width: 28px; height: 28px; fill: currentColor; }
.badge {
  position: absolute; top: -4px; right: -4px; min-width: 22px; height: 22px; padding: 0 6px;
  border-radius: 11px; background: #d1242f; color: #fff; font-size: 13px; line-height: 22px;
}
.badge[hidden] { display: none; }
.panel {
  position: absolute; right: 0; bottom: 72px; width: 370px; height: min(560px, calc(100vh - 120px));
  display: flex; flex-direction: column; background: var(--causette-bg);
  border-radius: var(--causette-radius); box-shadow: 0 8px 30px rgb(0 0 0 / 22%); overflow: hidden;
}
.panel[hidden] { display: none; }
.header {
  display: flex; align-items: center; justify-content: space-between; gap: 8px;
  padding: 12px 16px; background: var(--causette-accent); color: var(--causette-accent-text);
}
.header h2 { margin: 0; font-size: 17px; font-weight: 600; }
.header button { background: transparent; border: 0; color: inherit; font-size: 22px; line-height: 1; padding: 4px 8px; }
.status { font-size: 13px; color: var(--causette-muted); padding: 4px 16px; }
.log { flex: 1; overflow-y: auto; padding: 12px 16px; }
.items { display: flex; flex-direction: column; gap: 8px; margin: 0; padding: 0; list-style: none; min-height: 100%; }
.empty { color: var(--causette-muted); margin: auto 0; text-align: center; }
.msg { max-width: 80%; padding: 8px 12px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.msg.mine { align-self: flex-end; background: var(--causette-accent); color: var(--causette-accent-text); }
.msg.theirs { align-self: flex-start; background: #eef1f4; }
.msg .who { display: block; font-size: 12px; opacity: 0.85; }
.msg.pending { opacity: 0.7; }
.composer { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #d8dee4; }
.composer textarea {
  flex: 1; resize: none; font: inherit; font-size: 16px; padding: 8px; border: 1px solid #afb8c1;
  border-radius: 8px; min-height: 44px; max-height: 120px; color: inherit; background: #fff;
}
.composer button {
  border: 0; border-radius: 8px; padding: 0 16px; background: var(--causette-accent); color: var(--causette-accent-text);
}
.error { color: #d1242f; font-size: 14px; padding: 0 16px 6px; margin: 0; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 480px) {
  :host { right: 12px; bottom: 12px; }
  .panel { position: fixed; inset: 0; width: auto; height: auto; border-radius: 0; }
  /* Full screen: the panel's own close button replaces the launcher, which would cover Send. */
  .launcher[aria-expanded="true"] { display: none; }
}
`
