"""Chat models: one factory from a spec string, cached per process."""

from graph.models.factory import ModelSpecError, get_chat_model, parse_spec

__all__ = ["ModelSpecError", "get_chat_model", "parse_spec"]
