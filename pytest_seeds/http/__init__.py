"""The wire: sending requests with requests, retries, rate limit, faults named."""
