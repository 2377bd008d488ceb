"""The application layer: one handler per command, one query per read model, and the wiring."""
