"""Storage: the port every backend implements, and its adapters (SQLite now, PostgreSQL later)."""
