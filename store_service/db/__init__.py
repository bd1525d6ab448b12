"""Database access: column types, table models, engines and migrations."""
