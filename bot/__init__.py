"""Kudos: a self-hosted recognition bot for Slack and Microsoft Teams."""

__version__ = "0.1.0"
