"""The Gradio web chat: ``build_app(assistant) -> gr.Blocks``.

A thin shell over :class:`assistant.core.Assistant`: the chat tab streams ``assistant.stream``
and shows each answer's citations as chips that open the quoted sentence in its paragraph; the
documents tab lists, uploads and removes articles. Nothing is built at import time.

External programs call ``/ask`` with ``gradio_client`` for the answer object (plain text with ``[n]``
markers and structured citations), or ``/respond`` for what the page shows (see :func:`build_app`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.errors import AssistantError
from assistant.types import Answer, IngestSummary
from ui import figures, render
from ui import sources as cards
from ui.theme import CITE_JS, header_html, make_theme

if TYPE_CHECKING:
    from assistant.core import Assistant

EXAMPLES = [
    "What was Alibaba Cloud's global market share in Q2 2025?",
    "Who leads the cloud market, and by how much?",
    "Where is Alibaba building data centres, and why?",
    "How big is the China cloud market?",
]
CHAT_PLACEHOLDER = (
    '<div class="chat-empty"><div class="chat-empty-icon">&#9729;</div>'
    "<p><b>Ask about the cloud market</b></p>"
    "<p>Answers quote your articles. Click a marker like [1] to read the sentence it comes from.</p></div>"
)
FILE_TYPES = [".md", ".txt", ".html", ".htm", ".pdf"]
PRIVATE = "private"


def mount_options() -> dict[str, Any]:
    """Keyword arguments for ``gr.mount_gradio_app`` / ``launch``: system-font theme, no run history."""
    return {"theme": make_theme(), "footer_links": ["api"], "run_history": False}


def _filters(publishers: Any, date_from: Any, date_to: Any, sources: Any) -> dict[str, Any]:
    return {
        "publisher": list(publishers or []),
        "date_from": (date_from or "").strip() or None,
        "date_to": (date_to or "").strip() or None,
        "sources": list(sources or []),
    }


def build_app(assistant: Assistant) -> gr.Blocks:
    """The web chat over ``assistant``.

    API (``gradio_client``), two endpoints:

    - ``Client(url).predict(question, history, publishers, date_from, date_to, sources, api_name="/ask")``
      returns the contract's answer object as a dict: ``answer`` (plain text with ``[n]`` markers),
      ``abstained``, ``citations`` (``n``, ``source``, ``title``, ``date``, ``publisher``, ``url``,
      ``quote``, ``start``, ``end``), ``timings_ms``. Only ``question`` is required.
    - ``predict(message, history, publishers, date_from, date_to, sources, api_name="/respond")`` is
      what the page runs: it returns ``(textbox, chat, sources_html)``, the answer as HTML with citation
      chips and the source cards.

    ``history`` is a list of ``{role, content}`` messages (``[]`` to start), ``publishers`` and
    ``sources`` lists of strings, the dates ``YYYY-MM-DD`` or ``""``. Bad input (an empty question, a
    bad date) raises an error with the message (``gradio_client``'s ``AppError``).
    """
    settings = assistant.settings
    limits = settings.limits
    mb = limits.max_file_bytes / 1_000_000

    def choices(docs: list[dict[str, Any]]) -> tuple[list[str], list[tuple[str, str]]]:
        publishers = sorted({d["publisher"] for d in docs if d.get("publisher")})
        sources = [(f"{d.get('title') or d['source']} ({d['source']})", d["source"]) for d in docs]
        return publishers, sources

    def respond(
        message: str,
        history: list[dict[str, Any]] | None,
        publishers: list[str] | None,
        date_from: str | None,
        date_to: str | None,
        sources: list[str] | None,
        records: list[dict[str, Any]] | None = None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple[str, list[dict[str, Any]], str, list[dict[str, Any]]]]:
        """Answer ``message`` from the articles, streaming the text, then the cited answer.

        Inputs: the question; the chat so far (``{role, content}`` messages, oldest first); the
        filters (publishers, ISO dates ``YYYY-MM-DD`` or empty, article sources). Yields
        ``(textbox, chat, sources_html, records)``. A bad input (empty question, bad date) leaves the
        chat and the question as they were: the page shows a warning (an error would cover the chat and
        the question box with "Error" badges), a program (``gradio_client``) gets an error with the message.
        """
        chat = list(history or [])
        records = list(records or []) if chat else []  # a new conversation starts a new sources panel
        before = (message, list(chat), cards.sources_panel(records), list(records))
        turn = 1 + max((r["turn"] for r in records), default=sum(1 for m in chat if _role(m) == "assistant"))
        shown = False
        try:
            question = assistant.validate_question(message or "")
            stream = assistant.stream(
                question, render.plain_history(chat), _filters(publishers, date_from, date_to, sources)
            )
            chat.append({"role": "user", "content": render.user_message(question)})
            text = ""
            answer: Answer | None = None
            for item in stream:
                if isinstance(item, Answer):
                    answer = item
                    continue
                text += item
                shown = True
                yield "", [*chat, {"role": "assistant", "content": render.partial_answer(text)}], before[2], records
        except AssistantError as exc:
            if request is not None and request.headers.get("x-gradio-user") == "app":  # the page itself
                gr.Warning(str(exc))
                yield before
                return
            if shown:  # take back the partial answer before saying what went wrong
                yield before
            raise gr.Error(str(exc), print_exception=False) from None
        if answer is None:  # the stream always ends with an Answer; keep the chat intact if not
            yield before
            return
        snapshot = assistant.searcher.snapshot()
        records.append(cards.turn_record(answer, turn, snapshot.texts, snapshot.metas))
        records[-1]["citations"] = answer.to_dict()["citations"]  # for the chart of its figures (figures.answer_chart)
        chat.append({"role": "assistant", "content": render.final_answer(answer, turn)})
        yield "", chat, cards.sources_panel(records), records

    def ask(
        question: str,
        history: list[dict[str, str]] | None = None,
        publishers: list[str] | None = None,
        date_from: str = "",
        date_to: str = "",
        sources: list[str] | None = None,
    ) -> dict[str, Any]:
        """Answer a question from the articles: the answer object, with the answer as plain text with [n]
        markers, and citations (n, source, title, date, publisher, url, quote, start, end)."""
        try:
            answer = assistant.ask(question, history or None, _filters(publishers, date_from, date_to, sources))
        except AssistantError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        return answer.to_dict()

    def refresh() -> tuple[Any, ...]:
        docs = assistant.documents()
        publishers, sources = choices(docs)
        return (
            render.status_line(assistant.status()),
            render.document_table(docs),
            gr.Dropdown(choices=publishers),
            gr.Dropdown(choices=sources),
            gr.Dropdown(choices=[d["source"] for d in docs], value=None),
        )

    def add_files(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        if not files:
            gr.Warning("Choose one or more files first.")
            return (render.notice("No files chosen.", "error"), *refresh(), None)
        progress(0.05, desc=f"Reading {len(files)} file{'s' if len(files) != 1 else ''}")
        payload, too_big = [], []
        for path in map(Path, files):
            if path.stat().st_size > limits.max_file_bytes:  # not read into memory at all
                too_big.append({"path": path.name, "error": f"file is larger than the {mb:g} MB limit"})
            else:
                payload.append((path.name, path.read_bytes()))
        progress(0.3, desc="Indexing: chunking and embedding")
        known = {d["source"] for d in assistant.documents()}
        try:
            summary = assistant.add_files(payload) if payload else IngestSummary()
        except AssistantError as exc:
            gr.Warning(str(exc))
            return (render.notice(str(exc), "error"), *refresh(), None)
        progress(1.0, desc="Done")
        summary.failed = too_big + summary.failed
        failed = summary.failed
        if failed:
            gr.Warning(f"{len(failed)} file{'s' if len(failed) != 1 else ''} could not be added; see the list.")
        return (render.ingest_summary(summary.to_dict(), upload_names(payload, summary, known)), *refresh(), None)

    def remove(source: str | None) -> tuple[Any, ...]:
        if not source:
            gr.Warning("Choose an article to remove.")
            return (render.notice("No article chosen.", "error"), *refresh())
        try:
            summary = assistant.remove(source)
        except AssistantError as exc:
            gr.Warning(str(exc))
            return (render.notice(str(exc), "error"), *refresh())
        gr.Info(f"Removed {source}", duration=4)
        return (render.ingest_summary(summary.to_dict(), {"removed": [source]}), *refresh())

    def clear() -> tuple[list[Any], str, list[Any], str]:
        return [], cards.sources_panel([]), [], ""

    limits_text = (
        f"Accepted: {', '.join(FILE_TYPES)} · up to {mb:g} MB per file · up to {limits.max_files_per_upload} files "
        "at once. Markdown files may start with front matter (title, date, publisher, url)."
    )

    pub_choices, src_choices = choices(assistant.documents())  # also refreshed on every page load and after each change
    with gr.Blocks(title="Cloud Market Assistant", analytics_enabled=False) as demo:
        with gr.Row(elem_classes="cma-top", equal_height=True):
            gr.HTML(header_html(), elem_id="cma-header", js_on_load=None, scale=5, min_width=200)
            status = gr.HTML(
                render.status_line(assistant.status()), elem_id="status-line", js_on_load=None, scale=2, min_width=160
            )
        records = gr.State([])
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"), gr.Row(equal_height=False):
                with gr.Column(scale=7, min_width=360):
                    # No label (it sat over the first message) and no autofocus (on a phone it scrolled the
                    # page to the question box and opened the keyboard before anything was read).
                    chatbot = gr.Chatbot(
                        label="Conversation", show_label=False, elem_id="chat", height="min(540px, 62vh)",
                        latex_delimiters=[], buttons=["copy"], placeholder=CHAT_PLACEHOLDER,
                    )
                    msg = gr.Textbox(
                        label="Question", placeholder="Ask about the cloud market…", show_label=False, submit_btn="Ask",
                        elem_id="question", max_length=limits.max_question_chars,
                    )
                    # Under the question box, so a chart never pushes the box out of sight.
                    answer_chart = figures.answer_components()
                    with gr.Row(elem_classes="example-row"):
                        example_buttons = [gr.Button(q, size="sm", variant="secondary") for q in EXAMPLES]
                    with gr.Accordion("Filters: publishers, dates, articles", open=False, elem_id="filters"):
                        with gr.Row():
                            f_pub = gr.Dropdown(
                                pub_choices, value=[], multiselect=True, label="Publishers", elem_id="f-publishers",
                                allow_custom_value=True,
                            )
                            f_src = gr.Dropdown(
                                src_choices, value=[], multiselect=True, label="Articles", elem_id="f-sources",
                                allow_custom_value=True,
                            )
                        with gr.Row():
                            f_from = gr.Textbox("", label="Published from", placeholder="YYYY-MM-DD", elem_id="f-from")
                            f_to = gr.Textbox("", label="Published until", placeholder="YYYY-MM-DD", elem_id="f-to")
                    clear_btn = gr.Button("Clear conversation", variant="secondary", size="sm", elem_id="clear")
                with gr.Column(scale=5, min_width=320):
                    gr.HTML('<div class="sources-title">Sources<span>click a marker like [1] to see its quote</span>'
                            "</div>", js_on_load=None)
                    sources_html = gr.HTML(
                        cards.sources_panel([]), label="Sources", elem_id="sources", js_on_load=CITE_JS,
                        max_height=720,
                    )
            with gr.Tab("Figures", id="figures") as figures_tab:
                figures.build_tab(assistant, figures_tab)
            with gr.Tab("Documents", id="documents"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        gr.Markdown("### Add articles")
                        upload = gr.File(
                            file_count="multiple", file_types=FILE_TYPES, type="filepath",
                            label="Article files", elem_id="upload", height=140,
                        )
                        gr.HTML(f'<p class="limits-note">{render.esc(limits_text)}</p>', js_on_load=None)
                        add_btn = gr.Button("Add to index", variant="primary", elem_id="add-files")
                    with gr.Column(scale=2):
                        gr.Markdown("### Remove an article")
                        rm_choice = gr.Dropdown(
                            [s for _, s in src_choices], value=None, label="Article (source file)",
                            elem_id="remove-choice", allow_custom_value=True,
                        )
                        rm_btn = gr.Button("Remove from index", variant="secondary", elem_id="remove")
                        gr.HTML(
                            '<p class="limits-note">Removes the article from the index and its file from the '
                            "corpus folder.</p>", js_on_load=None,
                        )
                result = gr.HTML("", elem_id="ingest-result", js_on_load=None)
                gr.Markdown("### Indexed articles")
                # An HTML table (cards on a phone) rather than a Dataframe, which broke dates over lines.
                table = gr.HTML(render.document_table(assistant.documents()), elem_id="documents-table",
                                js_on_load=None)

        chat_inputs = [msg, chatbot, f_pub, f_from, f_to, f_src, records]
        chat_outputs = [msg, chatbot, sources_html, records]
        # The chart of an answer's figures: drawn after the answer, hidden while the next one is asked.
        def chart_of_answer(kept: list[dict[str, Any]] | None) -> list[Any]:
            return figures.answer_chart(assistant, kept)

        charting: dict[str, Any] = {"api_visibility": PRIVATE, "concurrency_id": "figures"}
        hide_chart = (figures.hidden_chart, None, answer_chart)
        msg.submit(respond, chat_inputs, chat_outputs, api_name="respond", concurrency_id="chat").then(
            chart_of_answer, records, answer_chart, **charting
        )
        msg.submit(*hide_chart, api_visibility=PRIVATE, queue=False)
        gr.api(ask, api_name="ask", concurrency_id="chat")
        for button, question in zip(example_buttons, EXAMPLES, strict=True):
            button.click(lambda q=question: q, None, msg, api_visibility=PRIVATE, queue=False).then(
                *hide_chart, api_visibility=PRIVATE, queue=False
            ).then(respond, chat_inputs, chat_outputs, api_visibility=PRIVATE, concurrency_id="chat").then(
                chart_of_answer, records, answer_chart, **charting
            )
        clear_btn.click(clear, None, [chatbot, sources_html, records, msg], api_visibility=PRIVATE, queue=False)
        chatbot.clear(clear, None, [chatbot, sources_html, records, msg], api_visibility=PRIVATE, queue=False)
        clear_btn.click(*hide_chart, api_visibility=PRIVATE, queue=False)
        chatbot.clear(*hide_chart, api_visibility=PRIVATE, queue=False)
        listing = [status, table, f_pub, f_src, rm_choice]
        writes: dict[str, Any] = {"api_visibility": PRIVATE, "concurrency_limit": 1, "concurrency_id": "write"}
        add_btn.click(add_files, upload, [result, *listing, upload], **writes)
        rm_btn.click(remove, rm_choice, [result, *listing], **writes)
        demo.load(refresh, None, listing, api_visibility=PRIVATE)
    demo.queue(default_concurrency_limit=settings.concurrency)
    return demo


def _role(message: Any) -> str | None:
    return message.get("role") if isinstance(message, dict) else getattr(message, "role", None)


def upload_names(
    payload: list[tuple[str, bytes]], summary: IngestSummary, known: set[str]
) -> dict[str, list[str]]:
    """Which uploaded files were added, and which replaced or matched an article already indexed."""
    from assistant.core import safe_filename

    left_out = {f["path"] for f in summary.failed} | {f["path"] for f in summary.skipped_files}
    duplicates = [f["path"] for f in summary.duplicates]
    stored = [n for n in dict.fromkeys(safe_filename(name) for name, _ in payload) if n not in left_out]
    names: dict[str, list[str]] = {"added": [n for n in stored if n not in known and n not in duplicates]}
    existing = [n for n in stored if n in known]
    if existing:
        key = "updated" if not summary.unchanged else "unchanged" if not summary.updated else "updated or unchanged"
        names[key] = existing
    if duplicates:
        names["stored once (same text as an indexed article)"] = duplicates
    return names
