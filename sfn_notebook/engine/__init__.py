"""The interpreter: runs compiled state machines on a clock and emits AWS's history events.

Importing this package registers every state type's runner.
"""

from sfn_notebook.engine import concurrent, mapstate, states, task  # noqa: F401  (register runners)
from sfn_notebook.engine.clock import Clock, RealClock, VirtualClock, make_clock
from sfn_notebook.engine.interpreter import compile_machine

__all__ = ["Clock", "RealClock", "VirtualClock", "compile_machine", "make_clock"]
