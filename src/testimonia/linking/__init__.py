"""Linking: find the same person recorded several times (splink on DuckDB or Spark, names from
testimonia.names). services/linking.py runs it over the registry; docs/linking.md explains it."""
