"""Wire-format helpers shared by the store's servicers and its clients (the adapter, jobs)."""
