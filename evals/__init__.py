"""Evaluation of Yearbook QA: question sets, metrics, reports."""
