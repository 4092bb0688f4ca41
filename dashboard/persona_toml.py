"""A persona definition as TOML text (for the persona editor) and back."""

from __future__ import annotations

import tomllib
from typing import Any

from radar.config import _toml_value


def persona_to_toml(definition: dict[str, Any]) -> str:
    """``[[personas]]`` table text of one persona, as personas.toml holds it."""
    lines = ["[[personas]]"]
    for key, value in definition.items():
        if key != "criteria":
            lines.append(f"{key} = {_toml_value(value)}")
    for crit in definition.get("criteria", []):
        lines += ["", "[[personas.criteria]]"]
        for key, value in crit.items():
            if value in ([], "") and key in ("ranges", "values", "unit"):
                continue
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def toml_to_persona(text: str) -> dict[str, Any]:
    """The persona in ``text`` (one ``[[personas]]`` table). Raises ValueError with the reason."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"not valid TOML: {exc}") from None
    personas = data.get("personas")
    if not isinstance(personas, list) or len(personas) != 1:
        raise ValueError("write exactly one [[personas]] table")
    return personas[0]
