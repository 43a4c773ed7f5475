"""Outgoing webhooks: the outbox's sender for deliveries to other systems' HTTP endpoints."""

from bot.adapters.webhooks.sender import WebhookSender

__all__ = ["WebhookSender"]
