"""The HTTP edge: middleware, problem responses, request bodies, metrics, OpenAPI, pages, health."""
