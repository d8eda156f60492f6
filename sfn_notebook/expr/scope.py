"""The evaluation context handed to every compiled expression."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Scope:
    """What an expression may read besides its input.

    ``context`` is the context object (``$$``), ``variables`` the workflow variables visible to
    the state, ``rng`` the seeded random source behind States.UUID / States.MathRandom / $random.
    """

    context: Mapping[str, Any] = field(default_factory=dict)
    variables: Mapping[str, Any] = field(default_factory=dict)
    rng: random.Random = field(default_factory=random.Random)
    now_ms: int | None = None  # the engine clock's time, for JSONata $now() / $millis()
