"""Turning a question into an Answer: the service, follow-ups, the LLM chain and its checks."""
