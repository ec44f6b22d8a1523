"""The web application (FastAPI, server-rendered HTML). Here: the public list of persons and their status."""
