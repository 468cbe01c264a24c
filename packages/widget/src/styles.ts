/**
 * The loader's styles (host, launcher, badge, panel frame, proactive bubble), adopted into the
 * shadow root as a constructable stylesheet (no inline `<style>` or `style=`: they would need
 * `unsafe-inline` in the shop's CSP). `:host { all: initial }` stops the host page's inherited
 * font, colour and line-height from leaking in. The panel's inner styles come with the chat
 * chunk (chat/panel-styles.ts). Theme through the documented custom properties on the host element.
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
[hidden] { display: none !important; }
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
.panel {
  position: absolute; right: 0; bottom: 72px; width: 370px; height: min(560px, calc(100vh - 120px));
  display: flex; flex-direction: column; background: var(--causette-bg);
  border-radius: var(--causette-radius); box-shadow: 0 8px 30px rgb(0 0 0 / 22%); overflow: hidden;
}
/* A corner, never the page: at most 300px wide and 30% of the viewport high, four lines of text. */
.proactive {
  position: absolute; right: 0; bottom: 68px; display: flex; align-items: flex-start;
  width: max-content; max-width: min(300px, calc(100vw - 32px)); max-height: min(160px, 30vh);
  overflow: hidden; background: var(--causette-bg); color: var(--causette-text);
  border-radius: var(--causette-radius); box-shadow: 0 4px 18px rgb(0 0 0 / 20%);
}
.proactive-open {
  flex: 1; min-width: 0; text-align: left; background: transparent; border: 0; color: inherit;
  padding: 12px 0 12px 14px;
}
.proactive .who { display: block; font-size: 13px; font-weight: 600; }
.proactive .text {
  display: -webkit-box; -webkit-line-clamp: 4; -webkit-box-orient: vertical; overflow: hidden;
}
.proactive-dismiss {
  background: transparent; border: 0; color: var(--causette-muted);
  font-size: 20px; line-height: 1; min-width: 32px; min-height: 32px; padding: 6px;
}
@media (max-width: 480px) {
  :host { right: 12px; bottom: 12px; }
  .panel { position: fixed; inset: 0; width: auto; height: auto; border-radius: 0; }
  /* Full screen: the panel's own close button replaces the launcher, which would cover Send. */
  .launcher[aria-expanded="true"] { display: none; }
}
`
