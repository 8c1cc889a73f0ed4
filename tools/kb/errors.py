"""The one error type the knowledge base raises for things a user can fix."""


class KBError(ValueError):
    """Bad input to the knowledge base (unknown collection, unreadable file, bad filter...)."""
