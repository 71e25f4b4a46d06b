"""The benchmark of ingest and search (``make bench``); see README.md, section Benchmark."""
