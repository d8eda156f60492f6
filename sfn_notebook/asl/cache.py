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
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from sfn_notebook.asl.model import Definition
from sfn_notebook.asl.parse import parse

SIZE = 64  # definitions kept, least recently used first out

# The key's text, by an encoder made once (json.dumps makes one a call): compact, no NaN.
_DEFAULT = json.JSONEncoder().default  # raises TypeError for what JSON cannot hold
_key_encoder = (
    None
    if c_make_encoder is None
    else c_make_encoder(None, _DEFAULT, encode_basestring, None, ":", ",", False, False, False)
)


def _key_text(source: Mapping[str, Any]) -> str:
    if _key_encoder is None:
        return json.dumps(source, allow_nan=False)
    return "".join(_key_encoder(source, 0))


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
            key = ("json", _key_text(source))
        except (TypeError, ValueError, RecursionError):  # not JSON: let parse say why, uncached
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
