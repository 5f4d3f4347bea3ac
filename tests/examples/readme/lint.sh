pytest --seeds-dir seeds --seeds-lint --seeds-swagger-root specs --seeds-config values.json
