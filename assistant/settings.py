"""All settings in one place, overridable by ``ASSISTANT_*`` environment variables.

Nested groups are set with a double underscore (``ASSISTANT_RETRIEVAL__TOP_K=8``); the
contract's own variables (``ASSISTANT_INDEX``, ``ASSISTANT_CORPUS``, ``ASSISTANT_CHROMA_URL``,
``ASSISTANT_LLM``, ``ASSISTANT_API_KEY``) are top-level fields.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import ConfigError

DEFAULT_EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


class ChunkingSettings(BaseModel):
    max_tokens: int = Field(
        200, ge=32, le=256, description="Largest chunk in model tokens (the encoder's window is 256)."
    )
    target_tokens: int = Field(
        120, ge=16, le=256, description="Chunks are closed at the first paragraph end past this size."
    )

    @model_validator(mode="after")
    def _target_within_max(self) -> ChunkingSettings:
        if self.target_tokens > self.max_tokens:
            raise ValueError(
                f"target_tokens ({self.target_tokens}) must not exceed max_tokens ({self.max_tokens})"
            )
        return self


class RetrievalSettings(BaseModel):
    top_k: int = Field(16, ge=1, le=100, description="Passages handed to the answer generator.")
    candidates: int = Field(
        40, ge=1, le=1000, description="Candidates taken from each of the dense and lexical searches."
    )
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    per_document: int = Field(
        5, ge=1, description="Most passages kept from one document (diversity across documents)."
    )


class LimitSettings(BaseModel):
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted.")
    max_history_turns: int = Field(20, ge=0, description="History messages kept (newest).")
    max_file_bytes: int = Field(
        20_000_000, ge=1, description="Largest article file read by ingest or upload."
    )
    max_document_chars: int = Field(
        2_000_000, ge=1, description="Largest extracted article text; longer ones are refused."
    )
    max_files_per_upload: int = Field(50, ge=1, description="Most files in one upload.")
    max_upload_bytes: int = Field(
        100_000_000, ge=1, description="Largest upload request (all files together); uploads are held in memory."
    )


class Settings(BaseSettings):
    """Every setting of the assistant; see README for the environment variables."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_nested_delimiter="__", extra="ignore"
    )

    corpus: Path = Field(Path("corpus"), description="Folder of articles synced by `ingest`.")
    index: Path = Field(Path("index"), description="Folder of the embedded Chroma index.")
    chroma_url: str | None = Field(
        None, description="URL of a Chroma server (http://host:port); unset: embedded store in `index`."
    )
    collection: str = Field("articles", description="Chroma collection name.")
    embedding_model: str = Field(
        DEFAULT_EMBEDDING_MODEL,
        description="Sentence-transformers model: hub name or local folder (packaged copy preferred).",
    )
    embedding_dtype: Literal["auto", "float32", "bfloat16"] = Field(
        "auto", description="Encoder precision; auto picks bfloat16 on CPUs with AMX/AVX-512 BF16."
    )
    embedding_batch_size: int = Field(16, ge=1, le=4096, description="Texts per encoder batch.")
    embedding_workers: int = Field(
        0, ge=0, le=64, description="Encoder threads for large inputs; 0: the usable cores, at most 4."
    )
    embedding_fused: bool = Field(
        True,
        description="Run the encoder's linear layers as fused oneDNN kernels where PyTorch has them "
        "(kept only if they match plain PyTorch at load); false: plain PyTorch.",
    )
    chunking: ChunkingSettings = Field(ChunkingSettings(), description="Chunk sizes.")
    retrieval: RetrievalSettings = Field(RetrievalSettings(), description="Retrieval depth and fusion.")
    limits: LimitSettings = Field(LimitSettings(), description="Size limits on inputs.")
    llm: str = Field(
        "extractive", description="Answer generator: extractive, openai:MODEL or ollama:MODEL."
    )
    llm_base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible server.")
    llm_api_key: str | None = Field(None, description="API key for the LLM server.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds before an LLM call is abandoned.")
    host: str = Field("127.0.0.1", description="Address `serve` binds to.")
    port: int = Field(7860, ge=1, le=65535, description="Port `serve` listens on.")
    api_key: str | None = Field(None, description="Bearer key required on /api and /v1 when set.")
    ui_auth: str | None = Field(None, description="Optional web chat login as user:password.")
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed by CORS (none by default)."
    )
    concurrency: int = Field(4, ge=1, le=64, description="Chat requests answered at once.")

    @field_validator("chroma_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, got {value!r}")
        return value or None

    @field_validator("llm")
    @classmethod
    def _check_llm(cls, value: str) -> str:
        value = value.strip() or "extractive"
        kind = value.split(":", 1)[0]
        if kind not in {"extractive", "openai", "ollama"}:
            raise ValueError(
                f"unknown generator {value!r}; use extractive, openai:MODEL or ollama:MODEL"
            )
        if kind != "extractive" and not value.partition(":")[2].strip():
            raise ValueError(f"{value!r} names no model; use {kind}:MODEL")
        return value

    @field_validator("ui_auth")
    @classmethod
    def _check_auth(cls, value: str | None) -> str | None:
        if value and ":" not in value:
            raise ValueError("must be user:password")
        return value or None


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment plus ``overrides``; bad values raise ConfigError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"ASSISTANT_{'__'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None
