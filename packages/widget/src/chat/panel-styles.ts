/** The chat panel's inner styles, adopted with the chat chunk (the loader's frame is styles.ts). */
export const panelCss = `
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
`
