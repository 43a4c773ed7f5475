"""Background work inside `kudos serve`, bounded per process and durable in the database: the
inbox worker runs acknowledged chat requests, the outbox deliverer sends what the bot says.
Both survive a restart: what a dead process had claimed is taken over when its lease ends."""
