# 1. Run the seeds: a warning for each example that no longer matches its answer, and the report
pytest --seeds-dir seeds --seeds-discrepancies docs-report.md
# 2. Read docs-report.md: by domain and endpoint, each difference with its seed's file:line
# 3. See what the update would write, then write it (only seeds that passed are changed)
pytest --seeds-dir seeds --seeds-update-examples-dry-run
pytest --seeds-dir seeds --seeds-update-examples
# 4. Review the diff (only example blocks changed), then commit it
git diff -- seeds
git commit -m "docs: examples updated from the API's answers" -- seeds
