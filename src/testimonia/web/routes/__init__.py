"""The web application's routes, one module per capability (security.py says who may use each)."""
