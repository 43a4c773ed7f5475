"""Command handlers: one per command, each in one unit of work. Know only the domain."""
