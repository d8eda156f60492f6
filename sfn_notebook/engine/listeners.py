"""Who hears of history events, called through one guarded dispatch.

A history's listeners (the store, the widgets' feeds, progress bars, a remote follower's
callbacks) watch an execution; none of them may change it. :class:`Listeners` calls each in turn,
and one that raises is logged and detached: the other listeners still hear of the event, and
the execution goes on to the outcome it would have had without watchers.

>>> seen = []
>>> def broken(event):
...     raise ValueError("a bug in a widget")
>>> listeners = Listeners()
>>> listeners.add(broken)
>>> listeners.add(seen.append)
>>> listeners.dispatch({"id": 1})
>>> listeners.dispatch({"id": 2})
>>> seen, len(listeners)
([{'id': 1}, {'id': 2}], 1)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

Event = dict[str, Any]
Listener = Callable[[Event], None]

_log = logging.getLogger("sfn_notebook.listeners")


class Listeners:
    """An ordered set of listeners; :meth:`dispatch` is safe to call from any thread.

    The listeners are kept in a tuple replaced on every change, so a dispatch never holds the
    lock while listeners run (a listener may add or remove listeners, or read the history).
    """

    __slots__ = ("_items", "_lock")

    def __init__(self) -> None:
        self._items: tuple[Listener, ...] = ()
        self._lock = threading.Lock()

    def add(self, listener: Listener) -> None:
        with self._lock:
            self._items = (*self._items, listener)

    def remove(self, listener: Listener) -> None:
        """Detach ``listener`` (every registration of it); nothing when it is not attached."""
        with self._lock:
            self._items = tuple(item for item in self._items if item != listener)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Listener]:
        return iter(self._items)

    def dispatch(self, event: Event) -> None:
        """Give ``event`` to every listener; one that raises is logged and detached."""
        for listener in self._items:
            call(listener, event, self)

    def __repr__(self) -> str:
        return f"<Listeners {len(self._items)}>"


def call(listener: Listener, event: Event, owner: Listeners | None = None) -> bool:
    """Call one listener, guarded: False (after logging, and detaching it from ``owner``) when
    it raised. ``Exception`` only: Ctrl-C and SystemExit still interrupt."""
    try:
        listener(event)
    except Exception:
        _log.exception(
            "history listener %r raised on event %s (%s) and was detached; the execution is "
            "not affected",
            listener,
            event.get("id"),
            event.get("type"),
        )
        if owner is not None:
            owner.remove(listener)
        return False
    return True
