"""Reading retrieved chunks: candidate answers, their features, the learned scorer and refusal."""
