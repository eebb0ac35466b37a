"""The event lake's writer: every domain event lands in S3 as Parquet (`docs/event-lake.md`)."""
