"""The command-line edge: parse arguments, call a handler or query, print, exit."""
