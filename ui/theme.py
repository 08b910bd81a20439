"""Look of the web chat: the theme (system fonts, nothing fetched from elsewhere), CSS and the
small script that makes a citation chip reveal its source card.

The CSS travels inside the page header and the script inside the sources panel, so the chat looks
and works the same however it is served (``launch`` or ``mount_gradio_app``).
"""

from __future__ import annotations

from typing import Any

SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]


def make_theme() -> Any:
    """A calm blue theme using the fonts already on the reader's machine."""
    import gradio as gr

    return gr.themes.Soft(
        primary_hue="blue", secondary_hue="sky", neutral_hue="slate", font=SYSTEM_FONTS, font_mono=MONO_FONTS
    ).set(
        body_background_fill="#f6f8fb",
        block_radius="12px",
        button_large_radius="10px",
    )


CSS = """
.gradio-container { --cma-accent: #1d4ed8; --cma-accent-soft: #e8efff; --cma-mark: #fff1a8;
  --cma-muted: #64748b; --cma-line: #e2e8f0; --cma-card: #ffffff;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif !important;
  max-width: 1320px !important; }
.dark .gradio-container { --cma-accent: #93b4ff; --cma-accent-soft: #1e293b; --cma-mark: #715d00;
  --cma-muted: #94a3b8; --cma-line: #334155; --cma-card: #0f172a; }
.cma-header { display: flex; align-items: center; gap: 14px; padding: 10px 4px 4px; }
.cma-logo { width: 40px; height: 40px; border-radius: 11px; display: grid; place-items: center;
  background: linear-gradient(135deg, #2563eb, #0ea5e9); color: #fff; font-size: 22px; flex: none; }
.cma-header h1 { margin: 0 !important; font-size: 1.25rem !important; font-weight: 700; letter-spacing: -0.01em;
  line-height: 1.25 !important; }
.cma-header p { margin: 2px 0 0 !important; color: var(--cma-muted); font-size: 0.92rem; }
.cma-top { align-items: center !important; flex-wrap: wrap !important; gap: 0 12px !important; }
.cma-top > #cma-header { flex: 1 1 520px !important; }
.cma-top > #status-line { flex: 0 1 300px !important; }
.status-line { display: flex; flex-wrap: wrap; justify-content: flex-end; gap: 2px 14px; color: var(--cma-muted);
  font-size: 0.85rem; padding: 4px; }
.status-line b { color: var(--body-text-color); }
.chat-empty { text-align: center; color: var(--cma-muted); max-width: 420px; margin: 0 auto; }
.chat-empty p { margin: 4px 0 !important; }
.chat-empty b { color: var(--body-text-color); font-size: 1.05rem; }
.chat-empty-icon { font-size: 2.2rem; color: var(--cma-accent); opacity: 0.55; line-height: 1.2; }
.msg-user p, .answer p { margin: 0 0 0.45em !important; line-height: 1.55; }
.msg-user p:last-child, .answer p:last-child { margin-bottom: 0 !important; }
a.cite, span.cite { display: inline-block; min-width: 1.7em; padding: 0 0.3em;
  border-radius: 999px; background: var(--cma-accent-soft); color: var(--cma-accent) !important;
  font-size: 0.78em; margin: 0 0 0 1px; font-weight: 650; line-height: 1.55; text-align: center;
  text-decoration: none !important; vertical-align: 0.12em; cursor: pointer; border: 1px solid transparent; }
a.cite:hover, a.cite:focus-visible { border-color: var(--cma-accent); outline: none; }
a.cite.visited { border-color: var(--cma-accent); }
.answer.streaming .caret { display: inline-block; width: 0.5em; height: 1em; margin-left: 2px;
  background: var(--cma-accent); vertical-align: -0.15em; animation: cma-blink 1s steps(2) infinite; }
@keyframes cma-blink { 50% { opacity: 0; } }
.answer.abstained, .answer.failed { border-left: 3px solid #94a3b8; padding: 6px 10px; border-radius: 6px;
  background: rgba(148, 163, 184, 0.12); color: var(--cma-muted); font-style: italic; }
.answer.failed { border-left-color: #f59e0b; }
.abstain-label { display: block; font-style: normal; font-weight: 650; font-size: 0.78rem;
  text-transform: uppercase; letter-spacing: 0.04em; margin-bottom: 4px; }
.abstain-label::before { content: "\\2298\\00a0"; }
.sources-title { font-weight: 700; font-size: 1rem; margin: 4px 2px 8px; display: flex; gap: 10px;
  justify-content: space-between; align-items: baseline; flex-wrap: wrap; }
.sources-title span { color: var(--cma-muted); font-weight: 400; font-size: 0.8rem; }
.sources { display: flex; flex-direction: column; gap: 10px; text-align: left; }
.sources .src-title, .sources summary { text-align: left !important; }
.sources-empty { color: var(--cma-muted); font-size: 0.92rem; border: 1px dashed var(--cma-line);
  border-radius: 12px; padding: 14px 16px; }
.sources-empty .sources-hint { font-weight: 650; color: var(--body-text-color); margin: 0 0 4px; }
.sources details.turn { border: 1px solid var(--cma-line); border-radius: 12px; background: var(--cma-card);
  padding: 0 12px 4px; }
.sources details.turn > summary { cursor: pointer; display: flex; justify-content: space-between; gap: 10px;
  padding: 10px 0; font-weight: 600; list-style: none; }
.sources details.turn > summary::-webkit-details-marker { display: none; }
.sources details.turn > summary::before { content: "\\25B8"; color: var(--cma-muted); margin-right: 2px; }
.sources details.turn[open] > summary::before { content: "\\25BE"; }
.turn-q { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.turn-note { color: var(--cma-muted); font-weight: 400; font-size: 0.8rem; white-space: nowrap; }
.sources-none { color: var(--cma-muted); font-style: italic; margin: 0 0 10px; }
.src-card { border-top: 1px solid var(--cma-line); padding: 10px 2px 12px; scroll-margin: 16px;
  transition: background-color 0.4s ease; border-radius: 8px; text-align: left; }
.src-card.active { background: var(--cma-accent-soft); box-shadow: inset 3px 0 0 var(--cma-accent);
  padding-left: 10px; }
.src-card header { display: flex; gap: 8px; align-items: baseline; text-align: left; }
.src-nums { flex: none; display: inline-flex; gap: 3px; }
.src-num { min-width: 1.6em; height: 1.6em; border-radius: 999px; display: inline-grid;
  place-items: center; background: var(--cma-accent); color: #fff; font-size: 0.75rem; font-weight: 700; }
.src-title { flex: 1; font-weight: 650; line-height: 1.35; color: var(--body-text-color); }
a.src-title { color: var(--cma-accent) !important; text-decoration: none; }
a.src-title:hover { text-decoration: underline; }
a.src-title::after { content: " \\2197"; font-size: 0.8em; }
.src-meta { color: var(--cma-muted); font-size: 0.8rem; margin: 3px 0 8px; }
.src-meta code { font-size: 0.76rem; background: transparent; padding: 0; overflow-wrap: anywhere; }
.src-host { margin-left: 8px; }
.src-host::before { content: "\\2022\\00a0"; }
.src-context { margin: 0 0 8px !important; padding: 8px 12px !important; border-left: 3px solid var(--cma-line);
  background: rgba(148, 163, 184, 0.08); border-radius: 0 8px 8px 0; font-size: 0.9rem; line-height: 1.55;
  white-space: pre-line; color: var(--body-text-color); font-style: normal; }
.src-context mark { background: var(--cma-mark); color: inherit; padding: 1px 2px; border-radius: 3px;
  scroll-margin: 80px; }
.src-context mark.active { outline: 2px solid var(--cma-accent); outline-offset: 1px; }
.src-context .q-n { color: var(--cma-accent); font-weight: 700; font-size: 0.7em; margin-right: 1px; }
.src-back { display: none; margin-top: 2px; border: 1px solid var(--cma-line) !important; background: var(--cma-card);
  color: var(--cma-accent) !important; border-radius: 999px; padding: 2px 12px !important; font-size: 0.8rem !important;
  font-weight: 500 !important; cursor: pointer; }
.src-card.active .src-back { display: inline-block; }
.example-row { gap: 8px !important; flex-wrap: wrap; }
.example-row button { flex: 0 1 auto !important; min-width: 0 !important; font-weight: 500 !important;
  border-radius: 999px !important; font-size: 0.85rem !important; padding: 5px 12px !important; }
.limits-note { color: var(--cma-muted); font-size: 0.85rem; }
.ingest-result { border: 1px solid var(--cma-line); border-radius: 10px; padding: 10px 14px; font-size: 0.92rem;
  background: var(--cma-card); }
.ingest-result .outcome code { font-size: 0.82rem; }
.ingest-result.has-failed { border-color: #f59e0b; }
.ingest-result.error { border-color: #ef4444; }
.ingest-result ul.failed { margin: 6px 0 0 1em; color: #b45309; }
#remove { color: #b91c1c !important; border-color: #fca5a5 !important; }
#remove:hover { background: #fef2f2 !important; }
#documents-table { padding: 0 !important; border: 0 !important; background: transparent !important;
  box-shadow: none !important; }
.docs-wrap { overflow-x: auto; }
#documents-table table.docs { width: 100%; border-collapse: collapse !important; font-size: 0.9rem; margin: 0;
  border: 0 !important; }
#documents-table table.docs caption { caption-side: top; text-align: left; color: var(--cma-muted); font-size: 0.85rem;
  padding: 0 0 6px; }
#documents-table table.docs th { text-align: left; font-weight: 650; border: 0 !important;
  border-bottom: 2px solid var(--cma-line) !important; padding: 8px 10px !important; white-space: nowrap;
  background: transparent !important; }
#documents-table table.docs tr { border: 0 !important; background: transparent !important; }
#documents-table table.docs td { border: 0 !important; border-bottom: 1px solid var(--cma-line) !important;
  padding: 8px 10px !important; vertical-align: top; background: transparent !important; }
#documents-table table.docs td.col-date, #documents-table table.docs td.col-passages { white-space: nowrap; }
#documents-table table.docs td.col-passages { text-align: right; }
#documents-table table.docs td.col-title a { color: var(--cma-accent); text-decoration: none; padding: 0; margin: 0; }
#documents-table table.docs code { font-size: 0.8rem; overflow-wrap: anywhere; background: transparent; }
#cma-sheet-backdrop { position: fixed; inset: 0; background: rgba(15, 23, 42, 0.35); z-index: 1000; }
#cma-sheet { position: fixed; left: 0; right: 0; bottom: 0; max-height: 72vh; overflow-y: auto; z-index: 1001;
  background: var(--cma-card, #fff); border-radius: 16px 16px 0 0; box-shadow: 0 -8px 30px rgba(15, 23, 42, 0.25);
  padding: 0 14px 18px; text-align: left; }
#cma-sheet .sheet-bar { position: sticky; top: 0; display: flex; justify-content: space-between; align-items: center;
  gap: 10px; padding: 10px 0 8px; background: var(--cma-card, #fff); font-weight: 650; z-index: 1; }
#cma-sheet .sheet-close { border: 1px solid var(--cma-line); background: var(--cma-accent-soft); color: var(--cma-accent);
  border-radius: 999px; padding: 5px 12px; font-size: 0.88rem; cursor: pointer; }
#cma-sheet .src-card { border-top: 0; padding: 0; background: transparent; box-shadow: none; }
@media (max-width: 820px) {
  .gradio-container { padding-left: 4px !important; padding-right: 4px !important; }
  .gradio-container .main.app { padding-left: 8px !important; padding-right: 8px !important; }
  .cma-top { gap: 0 !important; }
  .cma-top > #cma-header, .cma-top > #status-line { flex: 1 1 100% !important; }
  .cma-header { padding: 2px 0 0; gap: 10px; }
  .cma-logo { width: 30px; height: 30px; font-size: 17px; border-radius: 8px; }
  .cma-header h1 { font-size: 1.05rem !important; }
  .cma-header p { display: none; }
  .status-line { justify-content: flex-start; font-size: 0.8rem; padding: 0 0 0 40px; }
  .status-line .status-extra { display: none; }
  .example-row { flex-wrap: nowrap !important; overflow-x: auto; scrollbar-width: none; padding-bottom: 2px; }
  .example-row button { white-space: nowrap !important; flex: 0 0 auto !important; }
  .sources-title span { display: none; }
}
@media (max-width: 700px) {
  #documents-table table.docs thead { display: none; }
  #documents-table table.docs, #documents-table table.docs tbody, #documents-table table.docs tr,
  #documents-table table.docs td { display: block; width: auto; }
  #documents-table table.docs tr { border: 1px solid var(--cma-line) !important; border-radius: 12px; padding: 10px 12px;
    margin: 0 0 10px; background: var(--cma-card) !important; }
  #documents-table table.docs td { border: 0 !important; padding: 1px 0 !important; }
  #documents-table table.docs td.col-title { font-weight: 650; font-size: 0.98rem; padding-bottom: 4px !important; }
  #documents-table table.docs td:not(.col-title)::before { content: attr(data-label) ": "; color: var(--cma-muted); }
  #documents-table table.docs td.col-passages { text-align: left; }
}
"""

# Runs once when the sources panel mounts. A click on a chip [n] (in any answer) marks its quote in
# its source card. On a wide screen the card is beside the chat: it opens that answer's sources and
# scrolls the quote into view, and the card's "Back to the answer" button returns to the chip. On a
# narrow screen, where the sources sit far below the chat, the card opens in a sheet over the page
# instead (the page does not move) and "Back to the answer" (or Escape, or a tap outside) closes it.
# The chip's link never navigates.
CITE_JS = """
if (!window.__cmaCites) {
  window.__cmaCites = true;
  let lastChip = null;
  const narrow = () => window.matchMedia('(max-width: 820px)').matches;
  const closeSheet = (refocus) => {
    document.getElementById('cma-sheet')?.remove();
    document.getElementById('cma-sheet-backdrop')?.remove();
    if (refocus && lastChip) lastChip.focus({preventScroll: true});
  };
  const backToChip = () => {
    if (!lastChip) return;
    lastChip.scrollIntoView({block: 'center'});
    lastChip.focus({preventScroll: true});
  };
  const openSheet = (card, mark) => {
    closeSheet(false);
    const root = document.querySelector('.gradio-container') || document.body;
    const backdrop = document.createElement('div');
    backdrop.id = 'cma-sheet-backdrop';
    const sheet = document.createElement('div');
    sheet.id = 'cma-sheet';
    sheet.setAttribute('role', 'dialog');
    sheet.setAttribute('aria-modal', 'true');
    sheet.setAttribute('aria-label', 'Source ' + mark.dataset.n);
    const bar = document.createElement('div');
    bar.className = 'sheet-bar';
    const label = document.createElement('span');
    label.textContent = 'Source [' + mark.dataset.n + ']';
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'sheet-close';
    close.textContent = '\\u21A9 Back to the answer';
    bar.append(label, close);
    const copy = card.cloneNode(true);
    copy.querySelectorAll('[id]').forEach((e) => e.removeAttribute('id'));
    copy.querySelectorAll('.src-back').forEach((e) => e.remove());
    copy.querySelectorAll('mark.quote').forEach((m) => m.classList.toggle('active', m.dataset.n === mark.dataset.n));
    sheet.append(bar, copy);
    root.append(backdrop, sheet);
    const active = copy.querySelector('mark.active');
    if (active) sheet.scrollTop = Math.max(0, active.offsetTop - 90);
    close.focus({preventScroll: true});
  };
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    if (target.closest('#cma-sheet-backdrop, #cma-sheet .sheet-close')) {
      event.preventDefault();
      closeSheet(true);
      return;
    }
    if (target.closest('.src-back')) {
      event.preventDefault();
      backToChip();
      return;
    }
    const link = target.closest('a.cite');
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const mark = document.getElementById((link.getAttribute('href') || '').slice(1));
    const card = mark ? mark.closest('.src-card') : null;
    if (!card) return;
    lastChip = link;
    document.querySelectorAll('a.cite.visited').forEach((c) => c.classList.remove('visited'));
    link.classList.add('visited');
    document.querySelectorAll('.src-card.active, mark.quote.active').forEach((c) => c.classList.remove('active'));
    const turn = card.closest('details');
    if (turn) turn.open = true;
    card.classList.add('active');
    mark.classList.add('active');
    if (narrow()) {
      openSheet(card, mark);
    } else {
      mark.scrollIntoView({behavior: 'smooth', block: 'center'});
    }
  }, true);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && document.getElementById('cma-sheet')) closeSheet(true);
  });
}
"""

HEADER = (
    '<div class="cma-header"><div class="cma-logo" aria-hidden="true">&#9729;</div><div>'
    "<h1>Cloud Market Assistant</h1>"
    "<p>Answers from your articles about market shares, revenues and data centres; every claim links to the "
    "sentence it comes from.</p>"
    "</div></div>"
)


def header_html() -> str:
    """The page header, carrying the page's CSS."""
    return f"<style>{CSS}</style>{HEADER}"
