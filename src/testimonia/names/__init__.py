"""Names across scripts: normalisation, script detection and search keys. Pure: no I/O."""

from .scripts import detect_language, detect_script, normalise, search_keys

__all__ = ["detect_language", "detect_script", "normalise", "search_keys"]
