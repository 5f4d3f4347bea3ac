"""Secrets: the masked value type, redaction of output, secrets found on the wire, logs."""
