"""What a run leaves for people: failure reports, curl lines, HAR files, the summary."""
