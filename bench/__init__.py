"""The registry benchmark (issue 2): a synthetic-registry generator and the runner. Not a test; see bench/README.md."""
