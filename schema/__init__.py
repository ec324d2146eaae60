"""Database layer: configuration, engine, the one MetaData, views, refresh steps."""
