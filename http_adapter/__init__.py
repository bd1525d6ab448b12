"""The REST adapter: serves Plant's /api/v1 contract by calling the store over gRPC."""
