"""Plant Store's client: what every caller of the store shares (the adapter, the CLI's jobs, a
scheduler): the channel and its calls, TLS client settings, correlation ids and logs, tracing,
the wire conversions and the registry of error reasons. It never imports the store itself."""
