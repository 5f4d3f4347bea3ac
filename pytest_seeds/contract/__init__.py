"""Swagger/OpenAPI: finding a step's operation and checking requests, answers, examples."""
