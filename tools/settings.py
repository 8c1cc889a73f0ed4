"""One settings object for the whole project, read from ``TAILOR_*`` environment variables.

Every default lives here so that a user (or a test) can point Tailor somewhere else by
setting variables, never by editing module globals. ``README.md`` lists every variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

ENV_PREFIX = "TAILOR_"
# auto: transformers when a CUDA GPU is there, llama.cpp otherwise.
RUNTIME_CHOICES = ("auto", "llamacpp", "transformers")
# auto: the platform's own on a database-backed LangGraph runtime, Postgres when a URI is set, SQLite otherwise.
CHECKPOINTER_CHOICES = ("auto", "sqlite", "postgres", "platform")


class SettingsError(ValueError):
    """A ``TAILOR_*`` variable holds a value that cannot be used."""


_READ: dict[str, None] = {}  # the variables settings read, in order (what their cache is keyed on)


def _env(name: str, default: str) -> str:
    _READ.setdefault(ENV_PREFIX + name)
    return os.environ.get(ENV_PREFIX + name, default)


def _env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = _env(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{ENV_PREFIX}{name}={raw!r} is not a whole number; set it to e.g. {default}.") from None
    if value < minimum:
        raise SettingsError(f"{ENV_PREFIX}{name}={value} is below the minimum {minimum}.")
    return value


def _env_float(name: str, default: float, minimum: float = 0.0) -> float:
    raw = _env(name, str(default))
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{ENV_PREFIX}{name}={raw!r} is not a number; set it to e.g. {default}.") from None
    if value < minimum:
        raise SettingsError(f"{ENV_PREFIX}{name}={value} is below the minimum {minimum}.")
    return value


@dataclass(frozen=True)
class Settings:
    """Process-wide defaults; a run's Context can override the per-request ones.

    Paths are kept as given (not resolved): resolving touches the file system, and settings
    are read on the server's event loop, where blocking calls are not allowed.
    """

    data_dir: Path = field(default_factory=lambda: Path(_env("DATA_DIR", ".tailor")).expanduser())
    models_dir: Path | None = None  # defaults to <data_dir>/models
    model: str = field(default_factory=lambda: _env("MODEL", "default"))
    host: str = field(default_factory=lambda: _env("HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: _env_int("PORT", 2024, minimum=1))
    max_new_tokens: int = field(default_factory=lambda: _env_int("MAX_NEW_TOKENS", 256, minimum=1))
    temperature: float = field(default_factory=lambda: _env_float("TEMPERATURE", 0.0))
    max_input_chars: int = field(default_factory=lambda: _env_int("MAX_INPUT_CHARS", 16000, minimum=1))
    context_tokens: int = field(default_factory=lambda: _env_int("CONTEXT_TOKENS", 2048, minimum=64))
    collection: str = field(default_factory=lambda: _env("COLLECTION", "docs"))
    k: int = field(default_factory=lambda: _env_int("K", 4, minimum=1))
    chroma_host: str = field(default_factory=lambda: _env("CHROMA_HOST", ""))
    chroma_port: int = field(default_factory=lambda: _env_int("CHROMA_PORT", 8000, minimum=1))
    embeddings: str = field(default_factory=lambda: _env("EMBEDDINGS", "default"))
    # A chunk under this is not read (0.30: measured on the RAG development sets with the answer checks on).
    min_relevance: float = field(default_factory=lambda: _env_float("MIN_RELEVANCE", 0.30))
    # The router sends a request to the knowledge base when its best chunk reaches this: a stricter bar than
    # reading a chunk, so a chat request that happens to share words with the docs is still chat.
    route_min_relevance: float = field(default_factory=lambda: _env_float("ROUTE_MIN_RELEVANCE", 0.37))
    guard_policy: str = field(default_factory=lambda: _env("GUARD_POLICY", ""))
    guard_canary: str = field(default_factory=lambda: _env("GUARD_CANARY", ""))
    api_keys: str = field(default_factory=lambda: _env("API_KEYS", ""))
    allowed_models: str = field(default_factory=lambda: _env("ALLOWED_MODELS", ""))
    server_flush_seconds: float = field(default_factory=lambda: _env_float("SERVER_FLUSH_SECONDS", 1.0, minimum=0.1))
    torch_threads: int = field(default_factory=lambda: _env_int("TORCH_THREADS", 0))
    runtime: str = field(default_factory=lambda: _env("RUNTIME", "auto"))
    llamacpp_threads: int = field(default_factory=lambda: _env_int("LLAMACPP_THREADS", 0))
    default_quant: str = field(default_factory=lambda: _env("DEFAULT_QUANT", "q4_1"))
    llamacpp_slots: int = field(default_factory=lambda: _env_int("LLAMACPP_SLOTS", 1, minimum=1))
    default_model_wheel: str = field(default_factory=lambda: _env("DEFAULT_MODEL_WHEEL", ""))
    stream_flush_ms: int = field(default_factory=lambda: _env_int("STREAM_FLUSH_MS", 80))
    adapter: str = field(default_factory=lambda: _env("ADAPTER", ""))  # served unless a run names another
    admin_users: str = field(default_factory=lambda: _env("ADMIN_USERS", ""))  # who may change shared data (empty: all)
    checkpointer: str = field(default_factory=lambda: _env("CHECKPOINTER", "auto"))
    postgres_uri: str = field(default_factory=lambda: _env("POSTGRES_URI", ""))

    def __post_init__(self) -> None:
        if self.models_dir is None:
            env_models = _env("MODELS_DIR", "")
            models = Path(env_models).expanduser() if env_models else self.data_dir / "models"
            object.__setattr__(self, "models_dir", models)
        for name, value in (("MIN_RELEVANCE", self.min_relevance), ("ROUTE_MIN_RELEVANCE", self.route_min_relevance)):
            if value > 1.0:
                raise SettingsError(f"{ENV_PREFIX}{name}={value} is above 1.0; it is a cosine similarity (0-1).")
        if self.runtime not in RUNTIME_CHOICES:
            raise SettingsError(f"{ENV_PREFIX}RUNTIME={self.runtime!r} is not one of {', '.join(RUNTIME_CHOICES)}.")
        if self.checkpointer not in CHECKPOINTER_CHOICES:
            raise SettingsError(
                f"{ENV_PREFIX}CHECKPOINTER={self.checkpointer!r} is not one of {', '.join(CHECKPOINTER_CHOICES)}."
            )
        if self.checkpointer == "postgres" and not self.postgres_uri:
            raise SettingsError(
                f"{ENV_PREFIX}CHECKPOINTER=postgres needs {ENV_PREFIX}POSTGRES_URI, "
                f"e.g. postgresql://user:password@host:5432/tailor."
            )
        if self.temperature > 2.0:
            raise SettingsError(f"{ENV_PREFIX}TEMPERATURE={self.temperature} is above 2.0; use 0 for greedy decoding.")

    @property
    def models_path(self) -> Path:
        """``models_dir`` as ``__post_init__`` settles it: never None once the settings are built."""
        assert self.models_dir is not None
        return self.models_dir

    def as_dict(self) -> dict[str, object]:
        return {f.name: (str(v) if isinstance(v := getattr(self, f.name), Path) else v) for f in fields(self)}


def get_settings() -> Settings:
    """Settings as the environment says now (read on every call, so tests and operators can change it).

    Building them parses every variable; a request asks many times, so they are built once per distinct
    set of values of the variables they read (looking those up takes a few microseconds).
    """
    get = os.environ.get
    return _settings_for(tuple(get(name) for name in _READ) if _READ else None)


@lru_cache(maxsize=16)
def _settings_for(values: tuple[str | None, ...] | None) -> Settings:
    return Settings()
