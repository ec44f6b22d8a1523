"""The command line, in the shape of git: `testimonia VERB [ARGS]`. Thin: every verb calls a service."""

from .main import main

__all__ = ["main"]
