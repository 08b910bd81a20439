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
.cma-header { display: flex; align-items: center; gap: 16px; padding: 14px 4px 6px; }
.cma-logo { width: 44px; height: 44px; border-radius: 12px; display: grid; place-items: center;
  background: linear-gradient(135deg, #2563eb, #0ea5e9); color: #fff; font-size: 24px; flex: none; }
.cma-header h1 { margin: 0 !important; font-size: 1.3rem !important; font-weight: 700; letter-spacing: -0.01em; }
.cma-header p { margin: 2px 0 0 !important; color: var(--cma-muted); font-size: 0.95rem; }
.cma-top { align-items: center !important; flex-wrap: wrap !important; }
.cma-top > #cma-header { flex: 1 1 640px !important; }
.cma-top > #status-line { flex: 0 1 300px !important; }
.status-line { display: flex; flex-wrap: wrap; justify-content: flex-end; gap: 4px 16px; color: var(--cma-muted);
  font-size: 0.85rem; padding: 4px; }
.chat-empty { text-align: center; color: var(--cma-muted); max-width: 420px; margin: 0 auto; }
.chat-empty p { margin: 4px 0 !important; }
.chat-empty b { color: var(--body-text-color); font-size: 1.05rem; }
.chat-empty-icon { font-size: 2.2rem; color: var(--cma-accent); opacity: 0.55; line-height: 1.2; }
.status-line b { color: var(--body-text-color); }
.msg-user p, .answer p { margin: 0 0 0.45em !important; line-height: 1.55; }
.msg-user p:last-child, .answer p:last-child { margin-bottom: 0 !important; }
a.cite, span.cite { display: inline-block; min-width: 1.7em; padding: 0 0.3em;
  border-radius: 999px; background: var(--cma-accent-soft); color: var(--cma-accent) !important;
  font-size: 0.78em; margin: 0 0 0 1px; font-weight: 650; line-height: 1.55; text-align: center;
  text-decoration: none !important; vertical-align: 0.12em; cursor: pointer; border: 1px solid transparent; }
a.cite:hover, a.cite:focus-visible { border-color: var(--cma-accent); outline: none; }
.answer.streaming .caret { display: inline-block; width: 0.5em; height: 1em; margin-left: 2px;
  background: var(--cma-accent); vertical-align: -0.15em; animation: cma-blink 1s steps(2) infinite; }
@keyframes cma-blink { 50% { opacity: 0; } }
.answer.abstained, .answer.failed { border-left: 3px solid #94a3b8; padding: 6px 10px; border-radius: 6px;
  background: rgba(148, 163, 184, 0.12); color: var(--cma-muted); font-style: italic; }
.answer.failed { border-left-color: #f59e0b; }
.abstain-label { display: block; font-style: normal; font-weight: 650; font-size: 0.78rem;
  text-transform: uppercase; letter-spacing: 0.04em; margin-bottom: 4px; }
.abstain-label::before { content: "\\2298\\00a0"; }
.sources-title { font-weight: 700; font-size: 1rem; margin: 4px 2px 8px; display: flex;
  justify-content: space-between; align-items: baseline; }
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
  transition: background-color 0.4s ease; border-radius: 8px; }
.src-card.active { background: var(--cma-accent-soft); box-shadow: inset 3px 0 0 var(--cma-accent);
  padding-left: 10px; }
.src-card header { display: flex; gap: 8px; align-items: baseline; text-align: left; }
.src-num { flex: none; min-width: 1.6em; height: 1.6em; border-radius: 999px; display: inline-grid;
  place-items: center; background: var(--cma-accent); color: #fff; font-size: 0.75rem; font-weight: 700; }
.src-title { flex: 1; font-weight: 650; line-height: 1.35; color: var(--body-text-color); }
a.src-title { color: var(--cma-accent) !important; text-decoration: none; }
a.src-title:hover { text-decoration: underline; }
a.src-title::after { content: " \\2197"; font-size: 0.8em; }
.src-meta { color: var(--cma-muted); font-size: 0.8rem; margin: 3px 0 8px 2.2em; }
.src-meta code { font-size: 0.76rem; background: transparent; padding: 0; }
.src-host { margin-left: 8px; }
.src-host::before { content: "\\2022\\00a0"; }
.src-context { margin: 0 0 0 2.2em !important; padding: 8px 12px !important; border-left: 3px solid var(--cma-line);
  background: rgba(148, 163, 184, 0.08); border-radius: 0 8px 8px 0; font-size: 0.9rem; line-height: 1.55;
  white-space: pre-line; color: var(--body-text-color); font-style: normal; }
.src-context mark { background: var(--cma-mark); color: inherit; padding: 1px 2px; border-radius: 3px; }
.example-row { gap: 8px !important; flex-wrap: wrap; }
.example-row button { flex: 0 1 auto !important; min-width: 0 !important; font-weight: 500 !important;
  border-radius: 999px !important; font-size: 0.85rem !important; padding: 5px 12px !important; }
.limits-note { color: var(--cma-muted); font-size: 0.85rem; }
.ingest-result { border: 1px solid var(--cma-line); border-radius: 10px; padding: 10px 14px; font-size: 0.92rem;
  background: var(--cma-card); }
.ingest-result.has-failed { border-color: #f59e0b; }
.ingest-result.error { border-color: #ef4444; }
.ingest-result ul.failed { margin: 6px 0 0 1em; color: #b45309; }
#documents-table table, #documents-table td, #documents-table th, #documents-table .cell-wrap {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif !important;
  font-size: 0.9rem; }
#remove { color: #b91c1c !important; border-color: #fca5a5 !important; }
#remove:hover { background: #fef2f2 !important; }

"""

# Runs once when the sources panel mounts: a click on a chip (in any answer) opens that answer's
# sources, marks the card and scrolls it into view; the link never navigates.
CITE_JS = """
if (!window.__cmaCites) {
  window.__cmaCites = true;
  document.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a.cite') : null;
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const card = document.getElementById((link.getAttribute('href') || '').slice(1));
    if (!card) return;
    const turn = card.closest('details');
    if (turn) turn.open = true;
    document.querySelectorAll('.src-card.active').forEach((c) => c.classList.remove('active'));
    card.classList.add('active');
    card.scrollIntoView({behavior: 'smooth', block: 'center'});
  }, true);
}
"""

HEADER = (
    '<div class="cma-header"><div class="cma-logo" aria-hidden="true">&#9729;</div><div>'
    "<h1>Cloud Market Assistant — answers from your articles, with sources</h1>"
    "<p>Ask about market shares, revenues and data centres. Every claim links to the sentence it comes from.</p>"
    "</div></div>"
)


def header_html() -> str:
    """The page header, carrying the page's CSS."""
    return f"<style>{CSS}</style>{HEADER}"
