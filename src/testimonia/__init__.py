"""Testimonia: documentation of people detained or disappeared in Xinjiang, and of the families who testify."""

__version__ = "0.1.0"
