"""Intake: from a report or a written testimony to a draft of records that a person reviews.

`documents` reads a file into plain text; `extract` turns text into a draft (persons, roles,
relations, events with dates, places and facilities, each with its text span and a confidence).
Nothing here writes to the registry: services/drafts.py stores drafts and applies reviews.
"""
