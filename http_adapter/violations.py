"""422 violation lines in the contract's words (pydantic 2.5's), whatever pydantic is installed.

pydantic's error `type` is stable across releases, its message text is not (2.5 said "a valid
datetime", later releases "a valid datetime or date"). So each line is rendered from the type
and its `ctx` with the template the contract was written against; a type missing here keeps the
installed pydantic's message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# pydantic-core's message templates as pydantic 2.5 rendered them, by error type.
CONTRACT_MESSAGES: Mapping[str, str] = {
    "missing": "Field required",
    "json_invalid": "JSON decode error",
    "model_type": "Input should be a valid dictionary or instance of {class_name}",
    "model_attributes_type": "Input should be a valid dictionary or object to extract fields from",
    "dict_type": "Input should be a valid dictionary",
    "list_type": "Input should be a valid list",
    "string_type": "Input should be a valid string",
    "string_unicode": (
        "Input should be a valid string, unable to parse raw data as a unicode string"
    ),
    "string_too_short": "String should have at least {min_length} character{s}",
    "string_too_long": "String should have at most {max_length} character{s}",
    "literal_error": "Input should be {expected}",
    "enum": "Input should be {expected}",
    "bool_type": "Input should be a valid boolean",
    "bool_parsing": "Input should be a valid boolean, unable to interpret input",
    "int_type": "Input should be a valid integer",
    "int_parsing": "Input should be a valid integer, unable to parse string as an integer",
    "int_from_float": "Input should be a valid integer, got a number with a fractional part",
    "int_parsing_size": "Unable to parse input string as an integer, exceeded maximum size",
    "float_type": "Input should be a valid number",
    "float_parsing": "Input should be a valid number, unable to parse string as a number",
    "finite_number": "Input should be a finite number",
    "datetime_type": "Input should be a valid datetime",
    "datetime_parsing": "Input should be a valid datetime, {error}",
    # Later pydantic releases parse datetimes through dates and name the error after that.
    "datetime_from_date_parsing": "Input should be a valid datetime, {error}",
    "datetime_object_invalid": "Invalid datetime object, got {error}",
    "value_error": "Value error, {error}",
}

# Template fields that pydantic 2.5 derived from the context rather than copied from it.
_PLURAL_OF = {"min_length", "max_length"}


def _fields(context: Mapping[str, Any]) -> dict[str, Any]:
    fields = dict(context)
    counted = [fields[name] for name in _PLURAL_OF if name in fields]
    fields["s"] = "" if counted == [1] else "s"
    return fields


def message(error: Mapping[str, Any]) -> str:
    """The contract's wording of one pydantic error."""
    template = CONTRACT_MESSAGES.get(error["type"])
    if template is None:
        return str(error["msg"])
    try:
        return template.format_map(_fields(error.get("ctx") or {}))
    except KeyError:
        return str(error["msg"])


def violation(error: Mapping[str, Any]) -> str:
    """`{loc joined by ' -> '}: {message}`, as contract section 2.2 shows them."""
    location = " -> ".join(str(part) for part in error["loc"])
    return f"{location}: {message(error)}"
