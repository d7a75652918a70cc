"""The ways people use Yearbook QA: the `yearbook` command line and the web page."""
