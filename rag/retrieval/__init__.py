"""Finding the chunks that may answer: hybrid dense + BM25 search and colloquial rewrites."""
