"""Fake repositories: one module per module of bot/store/repositories (see
tests/fakes/unit_of_work.py)."""
