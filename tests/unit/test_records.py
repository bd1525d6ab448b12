"""Each typed row names exactly its table's columns, with the model's Python types."""

from __future__ import annotations

import typing

import pytest
from sqlalchemy import inspect
from sqlalchemy.orm import Mapped

from store_service.db import models
from store_service.domain import records

pytestmark = pytest.mark.unit

TABLE_MODELS = [
    model
    for model in vars(models).values()
    if isinstance(model, type)
    and issubclass(model, models.Base)
    and model is not models.Base
    and model is not models.RetentionPurgeGuard  # holds no data: nothing reads its rows
]


def column_types(model: type[models.Base]) -> dict[str, object]:
    hints = typing.get_type_hints(model, vars(models))
    columns = inspect(model).columns
    return {
        columns[attribute].name: typing.get_args(hint)[0]
        for attribute, hint in hints.items()
        if typing.get_origin(hint) is Mapped
    }


@pytest.mark.parametrize("model", TABLE_MODELS, ids=lambda model: model.__name__)
def test_a_record_mirrors_its_model(model: type[models.Base]) -> None:
    record = getattr(records, f"{model.__name__}Row")
    assert typing.get_type_hints(record, vars(records)) == column_types(model)


def test_every_record_has_its_table() -> None:
    """Records named `<Model>Row` are whole rows of tables; projections and joins are named for
    what they hold instead."""
    named = {f"{model.__name__}Row" for model in TABLE_MODELS}
    # Projections and joins (the records after the table records) are not named for a table.
    defined = {
        name
        for name, value in vars(records).items()
        if typing.is_typeddict(value)
        and value.__module__ == records.__name__
        and name.endswith("Row")
    }
    assert defined == named
