"""The `plant-store` command: above both deployables, it serves either, migrates the store's
database and runs the operational jobs. Neither the store nor the adapter imports it."""
