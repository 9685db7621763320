"""The pipeline's runs: the jobs (ingest, transform, build_all), the landing sensor that launches
a build per batch of new files, and the daily build of the previous day."""
