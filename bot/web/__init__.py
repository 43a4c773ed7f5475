"""The HTTP app: health now; Slack, Teams, the JSON API and the dashboard mount here."""
