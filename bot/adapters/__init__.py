"""Chat adapters: turn platform payloads into commands and results into replies."""
