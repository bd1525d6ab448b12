"""The SQL of each aggregate, one module per aggregate: statements built once from the schema,
and small typed functions that run the reads, so services get typed records (domain/records.py).

A fragment two aggregates share lives in the module of the aggregate whose table it reads.
"""
