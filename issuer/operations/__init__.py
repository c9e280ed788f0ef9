"""Running the service: health and metrics, rate limits, background jobs and the command line."""
