"""Request bodies of the REST contract, as pydantic models (their errors are the 422 texts)."""
