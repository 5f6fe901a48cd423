"""Cache keys: a short hash of a value, made from typed objects so that a new field keys the cache
without anyone listing it.

A dataclass is keyed by all of its fields, by name, except those declared as not shaping what is
cached: `field(metadata=NOT_KEYED)` (a source line number, a timing measurement). Lists, tuples,
dicts, strings, numbers, paths and bytes are keyed by their content; anything else is refused, so
a key never silently depends on an object's identity or `repr`.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import inspect
import json
import sys
from enum import Enum
from pathlib import PurePath
from typing import Iterable

NOT_KEYED = {"keyed": False}
KEY_LENGTH = 20  # hex digits: 80 bits, no collision among the few thousand entries of a cache


def keyed_fields(obj) -> dict:
    """The fields of a dataclass instance that key it, by name (those marked NOT_KEYED left out)."""
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.metadata.get("keyed", True)}


def key_value(value):
    """`value` as plain JSON data, dataclasses by their keyed fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"__type__": type(value).__name__, **{k: key_value(v) for k, v in keyed_fields(value).items()}}
    if isinstance(value, dict):
        return {str(k): key_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [key_value(v) for v in value]
    if isinstance(value, (frozenset, set)):
        return sorted(key_value(v) for v in value)
    if isinstance(value, Enum):
        return key_value(value.value)
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, bytes):
        return {"__sha256__": hashlib.sha256(value).hexdigest()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot key a {type(value).__name__}: give it a dataclass or plain data")


def digest(value) -> str:
    """The key of `value`: bytes are hashed as they are, everything else as its key_value in JSON."""
    data = value if isinstance(value, bytes) else json.dumps(key_value(value), ensure_ascii=False,
                                                              sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()[:KEY_LENGTH]


def files_digest(files: Iterable[PurePath], root: PurePath) -> str:
    """The key of some files' names (relative to `root`) and contents."""
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(str(path.relative_to(root)).encode() + b"\0")
        with open(path, "rb") as f:
            h.update(hashlib.file_digest(f, "sha256").digest())
    return h.hexdigest()[:KEY_LENGTH]


def code_digest(*functions) -> str:
    """The key of the code that makes something: each function by its name and the arguments a
    functools.partial binds, with the source of its module and of the modules of the same package
    that module uses (a name it imports from one, or the module itself): one level, which a
    module that keeps its helpers beside it or imports them by name is keyed by."""
    parts, sources = [], {}
    for function in functions:
        bound, keywords = [], {}
        while isinstance(function, functools.partial):
            bound, keywords = list(function.args) + bound, {**function.keywords, **keywords}
            function = function.func
        module = sys.modules[function.__module__]
        package = module.__name__.split(".")[0] + "."
        used = [module]
        for value in vars(module).values():
            owner = value if inspect.ismodule(value) else sys.modules.get(getattr(value, "__module__", None) or "")
            if owner is not None and owner.__name__.startswith(package) and getattr(owner, "__file__", None):
                used.append(owner)
        for owner in used:
            with open(owner.__file__, "rb") as f:
                sources[owner.__name__] = hashlib.sha256(f.read()).hexdigest()
        parts.append([function.__module__, function.__qualname__, key_value(bound), key_value(keywords)])
    return digest([parts, sources])
