"""The HTTP server: the Backend interface as a JSON API, with bearer tokens, roles and safe retries."""
