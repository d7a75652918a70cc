"""Retrieval, answering and the shared schema of Yearbook QA."""
