"""Storage: tables, migrations, the audit chain, encryption at rest and search."""
