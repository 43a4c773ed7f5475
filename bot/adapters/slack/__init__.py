"""Slack: slack-bolt's AsyncApp. Listeners ack at once, turn Slack payloads into the grammar's
commands, call the services and render Block Kit. Nothing outside this package knows Slack."""
