"""The ingest job: yearbook text files → entries → chunks → Chroma."""
