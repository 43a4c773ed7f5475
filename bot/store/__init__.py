"""SQLAlchemy 2 persistence: models, the database engine, repositories and the unit of work."""
