"""Where chunks live: the Chroma store (embedded or server), embeddings and their cache, whole entries."""
