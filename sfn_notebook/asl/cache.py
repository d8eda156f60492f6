"""Parsed definitions kept by content, so running the same definition again skips parsing.

``sfn.run(definition_dict)`` in a notebook cell passes the same definition on every run: parsing
and validating it (and compiling the model, which :func:`~sfn_notebook.engine.compile_machine`
keeps for as long as the model lives) cost as much as a short execution. The key is the content
itself (the JSON text of a dict, or the text given), so an edited definition is always parsed
afresh; a dict is deep-copied before it is parsed so that the kept model shares nothing the
caller may change later. Models and compiled machines hold no per-execution state (a Runtime
shares one among all executions of a state machine), so one kept model serves any number of runs.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from sfn_notebook.asl.model import Definition
from sfn_notebook.asl.parse import parse

SIZE = 64  # definitions kept, least recently used first out

_kept: OrderedDict[tuple[str, str], Definition] = OrderedDict()
_lock = threading.Lock()


def parse_cached(source: Mapping[str, Any] | str) -> Definition:
    """:func:`~sfn_notebook.asl.parse.parse`, reusing the model of an identical definition.

    >>> a = parse_cached({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    >>> a is parse_cached({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    True
    """
    if isinstance(source, str):
        key = ("text", source)
    else:
        try:
            key = ("json", json.dumps(source, allow_nan=False))
        except (TypeError, ValueError):  # not JSON: let parse say why, uncached
            return parse(source)
    with _lock:
        model = _kept.get(key)
        if model is not None:
            _kept.move_to_end(key)
            return model
    model = parse(source if isinstance(source, str) else copy.deepcopy(source))
    with _lock:
        _kept[key] = model
        while len(_kept) > SIZE:
            _kept.popitem(last=False)
    return model
