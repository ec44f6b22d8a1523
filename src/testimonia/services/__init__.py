"""Use cases: each writing call runs in one transaction, checks permission, and leaves audit entries."""
