"""LangChain's own standard tests (`langchain-tests`) against the assistant's retriever, and the runnable.

`RetrieversIntegrationTests` is the suite LangChain runs on every retriever integration: `k` in the
constructor, `k` at invoke time (`retriever.invoke(q, k=1)`), sync and async invoke. It runs on the
sample index with the real embedder and Chroma.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant.retrieval import AssistantRetriever

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

QUERY = "Alibaba Cloud data centres in Europe"
# Whether the product's retriever reads `k` given to invoke(); retrieval.py owns that (see the report of
# issue 15 for the change). Until it does, the standard test of it is an expected failure, strictly:
# it turns into a failure to fix here the moment the retriever honours `k`.
K_AT_INVOKE = "k" in inspect.signature(AssistantRetriever._get_relevant_documents).parameters
K_REASON = "AssistantRetriever._get_relevant_documents takes no `k`, so invoke(q, k=1) returns the constructor's k"


class _Searcher:
    """The sample assistant's searcher, set once per test class (the suite builds retrievers from properties)."""

    searcher: Any = None

    @pytest.fixture(autouse=True)
    def _sample_searcher(self, sample_assistant: Any) -> None:
        type(self).searcher = sample_assistant.searcher

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"searcher": self.searcher}

    @property
    def retriever_query_example(self) -> str:
        return QUERY


class TestAssistantRetriever(_Searcher, RetrieversIntegrationTests):
    """The suite on the retriever `Assistant.as_retriever()` returns."""

    @property
    def retriever_constructor(self) -> type[AssistantRetriever]:
        return AssistantRetriever

    if not K_AT_INVOKE:

        @pytest.mark.xfail(reason=K_REASON, strict=True)
        def test_invoke_with_k_kwarg(self, retriever: Any) -> None:
            super().test_invoke_with_k_kwarg(retriever)


class KAtInvokeRetriever(AssistantRetriever):
    """AssistantRetriever with the one change asked of retrieval.py: `k` given to invoke() wins."""

    def _get_relevant_documents(  # type: ignore[override]
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None, **kwargs: Any
    ) -> list[Document]:
        retriever = self if k is None else self.model_copy(update={"k": k})
        return AssistantRetriever._get_relevant_documents(retriever, query, run_manager=run_manager)


class TestAssistantRetrieverWithKAtInvoke(_Searcher, RetrieversIntegrationTests):
    """The whole suite passes with that change (so the change is all that is missing)."""

    @property
    def retriever_constructor(self) -> type[AssistantRetriever]:
        return KAtInvokeRetriever


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_the_retriever_from_as_retriever_is_the_tested_class(sample_assistant: Any) -> None:
    retriever = sample_assistant.as_retriever(k=3)
    assert type(retriever) is AssistantRetriever
    docs = retriever.invoke(QUERY)
    assert len(docs) == 3
    assert {"source", "start", "end", "title", "date"} <= set(docs[0].metadata)


RUNNABLE_STREAMS_REASON = "Assistant.as_runnable() is a RunnableLambda over ask(): stream() yields one chunk"


def test_the_runnable_streams_the_answer(sample_assistant: Any, request: pytest.FixtureRequest) -> None:
    chain = sample_assistant.as_runnable()
    question = {"question": "What was Alibaba Cloud's global market share in Q2 2025?"}
    whole = chain.invoke(question)
    assert "4%" in whole["answer"] and whole["citations"]
    chunks = list(chain.stream(question))
    if len(chunks) == 1 and not inspect.isgeneratorfunction(getattr(chain, "func", None)):
        request.applymarker(pytest.mark.xfail(reason=RUNNABLE_STREAMS_REASON, strict=True))
    assert len(chunks) > 1, "stream() gave the whole answer object in one chunk"
    assert any(set(c) == {"answer"} for c in chunks)  # the answer text arrives in pieces
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk  # LangChain's AddableDict: strings concatenate
    assert {k: v for k, v in merged.items() if k != "timings_ms"} == {k: v for k, v in whole.items() if k != "timings_ms"}
