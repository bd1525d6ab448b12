"""Plant Store: the gRPC service that owns Plant's Phase-1 data."""
