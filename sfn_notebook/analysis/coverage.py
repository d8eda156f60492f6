"""Which parts of a definition a set of executions exercised, read from their history events.

Coverage is computed from GetExecutionHistory events alone, so local runs, a store and
executions imported from AWS count the same way. The *items* of a definition are its states,
its transitions (``Next``), every Choice rule and ``Default``, and every Retry and Catch clause
(nested Parallel branches and Map processors included). Each item counts how often it was taken:

* a state: its ``*StateEntered`` events;
* a transition: a ``*StateEntered`` whose ``previousEventId`` is the ``*StateExited`` of the
  state before it (AWS links them so within one line of work);
* a Catch clause: such a transition out of a visit that ended with a caught error. AWS's history
  names the error, not the clause: the clause is the first whose ``ErrorEquals`` matches the
  error (AWS's own rule for choosing a catcher);
* a Retry clause: a failed try followed by another try of the same visit, attributed to the first
  retrier whose ``ErrorEquals`` matches the try's error, as AWS chooses it;
* a Choice rule or ``Default``: the transition out of the Choice state. The history does not say
  which rule matched, only which state came next, so rules that share a ``Next`` (with each other
  or with ``Default``) cannot be told apart: they are counted together and each such item says
  so in its ``shared`` field.

>>> import sfn_notebook as sfn
>>> flow = {"StartAt": "C", "States": {
...     "C": {"Type": "Choice", "Default": "B",
...           "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "A"}]},
...     "A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}}
>>> cov = coverage([sfn.run(flow, {"n": 3})])
>>> [(i.kind, i.state, i.target, i.count) for i in cov.items if i.kind == "choice"]
[('choice', 'C', 'A', 1)]
>>> cov.percent, [i.label for i in cov.missed()]
(60.0, ['C: Default -> B', 'B'])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sfn_notebook.analysis.sources import Event, runs
from sfn_notebook.asl import model as m
from sfn_notebook.engine.task import error_matches
from sfn_notebook.errors import SfnNotebookError

if TYPE_CHECKING:
    import pandas as pd

# Item kinds, in the order a report lists them for a state.
STATE, NEXT, CHOICE, DEFAULT, RETRY, CATCH = "state", "next", "choice", "default", "retry", "catch"
COVERAGE_COLUMNS = (
    "kind",
    "state",
    "index",
    "target",
    "count",
    "covered",
    "shared",
    "errors",
    "pointer",
)


@dataclass
class CoverageItem:
    """One thing a definition can do: enter a state, take a transition, rule, retrier or catcher.

    ``index`` is the rule's, retrier's or catcher's position in its list; ``target`` the state a
    transition leads to; ``errors`` the errors seen for a Retry/Catch clause (name -> count);
    ``shared`` the labels of the Choice items this one cannot be told apart from.
    """

    kind: str
    state: str
    pointer: str
    index: int | None = None
    target: str | None = None
    count: int = 0
    shared: tuple[str, ...] = ()
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def covered(self) -> bool:
        return self.count > 0

    @property
    def label(self) -> str:
        """``Price``, ``Price -> Reserve``, ``Check: rule 0 -> A``, ``Price: Retry 1`` ..."""
        if self.kind == STATE:
            return self.state
        if self.kind == NEXT:
            return f"{self.state} -> {self.target}"
        if self.kind == CHOICE:
            return f"{self.state}: rule {self.index} -> {self.target}"
        if self.kind == DEFAULT:
            return f"{self.state}: Default -> {self.target}"
        if self.kind == RETRY:
            return f"{self.state}: Retry {self.index}"
        return f"{self.state}: Catch {self.index} -> {self.target}"


@dataclass
class Coverage:
    """The coverage of one definition by a set of executions; ``add`` reads more of them."""

    definition: m.Definition
    items: list[CoverageItem]
    executions: int = 0
    _index: dict[tuple[str, str, Any], CoverageItem] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, definition: Any) -> Coverage:
        """Empty coverage of ``definition`` (a Definition, dict or JSON/YAML text)."""
        from sfn_notebook.asl.parse import parse

        model = definition if isinstance(definition, m.Definition) else parse(definition)
        items = _items(model)
        found = cls(model, items)
        for item in items:
            key = item.index if item.kind in (CHOICE, RETRY, CATCH) else item.target
            found._index[(item.kind, item.state, key)] = item
        return found

    def add(self, events: Iterable[Event] | Any) -> Coverage:
        """Count one execution: its history events (GetExecutionHistory's shape) or an
        Execution object."""
        from sfn_notebook.render.attempts import state_attempts

        events = getattr(events, "history", events)
        events = sorted(events, key=lambda e: int(e["id"]))
        visits = state_attempts(events, self.definition)
        by_exit = {v.exited_event_id: v for v in visits if v.exited_event_id is not None}
        by_id = {int(e["id"]): e for e in events}
        states = self._states()
        for visit in visits:
            self._bump(STATE, visit.name, None)
            state = states.get(visit.name)
            retriers = getattr(state, "retry", ())
            for before in visit.attempts[:-1]:
                index = _first_match(retriers, before.error)
                if index is not None:
                    self._bump(RETRY, visit.name, index, before.error)
        for event in events:
            if not event["type"].endswith("StateEntered"):
                continue
            previous = by_id.get(int(event.get("previousEventId") or 0))
            if previous is None or not previous["type"].endswith("StateExited"):
                continue
            source = by_exit.get(int(previous["id"]))
            target = (event.get("stateEnteredEventDetails") or {}).get("name")
            if source is not None and target is not None:
                self._transition(states.get(source.name), source, str(target))
        self.executions += 1
        return self

    def _states(self) -> dict[str, m.State]:
        return {s.name: s for s in self.definition.walk()}

    def _bump(self, kind: str, state: str, key: Any, error: str | None = None) -> None:
        item = self._index.get((kind, state, key))
        if item is None:  # not in this definition (another version of the state machine ran)
            return
        item.count += 1
        if error is not None:
            item.errors[error] = item.errors.get(error, 0) + 1

    def _transition(self, state: m.State | None, visit: Any, target: str) -> None:
        if state is None:
            return
        if visit.status == "CAUGHT_ERROR":
            catchers = getattr(state, "catch", ())
            index = _first_match(catchers, visit.error)
            if index is None or catchers[index].next != target:
                index = next((i for i, c in enumerate(catchers) if c.next == target), None)
            if index is not None:
                self._bump(CATCH, state.name, index, visit.error)
            return
        if isinstance(state, m.ChoiceState):
            # The history names the next state, not the rule: count every item that leads there.
            for i, rule in enumerate(state.choices):
                if rule.next == target:
                    self._bump(CHOICE, state.name, i)
            if state.default == target:
                self._bump(DEFAULT, state.name, target)
            return
        self._bump(NEXT, state.name, target)

    # Reading the result ---------------------------------------------------------------------

    @property
    def covered(self) -> int:
        return sum(1 for item in self.items if item.covered)

    @property
    def percent(self) -> float:
        """Covered items out of all items, in percent with one decimal (100.0 when empty)."""
        return round(100.0 * self.covered / len(self.items), 1) if self.items else 100.0

    def missed(self) -> list[CoverageItem]:
        return [item for item in self.items if not item.covered]

    def graph_data(self) -> dict[str, Any]:
        """Per-state and per-edge counts as JSON-ready data, for a graph view to colour.

        ``states`` maps a state's name to its JSON pointer and entry count; each edge names its
        source and target states, its kind (next, choice, default, catch), index and count.
        Retry clauses are listed per state (they loop back to the state itself).
        """
        states = {
            i.state: {"pointer": i.pointer, "count": i.count} for i in self.items if i.kind == STATE
        }
        edges = [
            {
                "source": i.state,
                "target": i.target,
                "kind": i.kind,
                "index": i.index,
                "count": i.count,
                "pointer": i.pointer,
            }
            for i in self.items
            if i.kind in (NEXT, CHOICE, DEFAULT, CATCH)
        ]
        retries = [
            {"state": i.state, "index": i.index, "count": i.count, "pointer": i.pointer}
            for i in self.items
            if i.kind == RETRY
        ]
        return {"states": states, "edges": edges, "retries": retries}

    def graph(self, title: str = "") -> Any:
        """The coverage on the state machine's graph (a static snapshot that displays itself):
        states entered and never entered, how often each edge was taken, Retry clauses.

        >>> import sfn_notebook as sfn
        >>> flow = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
        >>> coverage([sfn.run(flow)]).graph()
        coverage: 1/1 items (100.0%) over 1 executions — green: entered · blank: never ...
        """
        from sfn_notebook.render.overlay import coverage_graph

        summary = self.report().splitlines()[0]
        return coverage_graph(self.definition, self.graph_data(), title=title, caption=summary)

    def report(self, title: str = "") -> str:
        """A terminal report: the totals, then every item not covered.

        >>> print(Coverage.of({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}).report())
        coverage: 0/1 items (0.0%) over 0 executions
          not covered: A
        """
        head = f"{title}: " if title else ""
        lines = [
            f"{head}coverage: {self.covered}/{len(self.items)} items ({self.percent}%) "
            f"over {self.executions} executions"
        ]
        for item in self.missed():
            shared = f" (shares its Next with {', '.join(item.shared)})" if item.shared else ""
            lines.append(f"  not covered: {item.label}{shared}")
        return "\n".join(lines)

    def frame(self) -> pd.DataFrame:
        """One row per item; the columns of :func:`coverage_frame`."""
        import pandas as pd

        from sfn_notebook.analysis.frames import normalise

        rows = [
            (
                i.kind,
                i.state,
                i.index,
                i.target,
                i.count,
                i.covered,
                ", ".join(i.shared) or None,
                dict(i.errors) or None,
                i.pointer,
            )
            for i in self.items
        ]
        frame = pd.DataFrame.from_records(rows, columns=list(COVERAGE_COLUMNS))
        normalise(frame, ("kind", "state", "target", "shared", "pointer"))
        frame["index"] = frame["index"].astype("Int64")
        frame["count"] = frame["count"].astype("int64")
        frame["covered"] = frame["covered"].astype(bool)
        return frame


def _first_match(clauses: Iterable[Any], error: str | None) -> int | None:
    """The first Retry/Catch clause whose ErrorEquals matches ``error`` (AWS's choice)."""
    if error is None:
        return None
    for i, clause in enumerate(clauses):
        if error_matches(tuple(clause.error_equals), error):
            return i
    return None


def _items(definition: m.Definition) -> list[CoverageItem]:
    items: list[CoverageItem] = []
    for state in definition.walk():
        name, pointer = state.name, state.pointer
        items.append(CoverageItem(STATE, name, pointer))
        if isinstance(state, m.ChoiceState):
            for i, rule in enumerate(state.choices):
                items.append(CoverageItem(CHOICE, name, rule.pointer, i, rule.next))
            if state.default is not None:
                items.append(CoverageItem(DEFAULT, name, f"{pointer}/Default", None, state.default))
            _mark_shared(items, name)
        elif state.next is not None:
            items.append(CoverageItem(NEXT, name, f"{pointer}/Next", None, state.next))
        for i, retrier in enumerate(getattr(state, "retry", ())):
            items.append(CoverageItem(RETRY, name, retrier.pointer, i))
        for i, catcher in enumerate(getattr(state, "catch", ())):
            items.append(CoverageItem(CATCH, name, catcher.pointer, i, catcher.next))
    return items


def _mark_shared(items: list[CoverageItem], choice: str) -> None:
    mine = [i for i in items if i.state == choice and i.kind in (CHOICE, DEFAULT)]
    for item in mine:
        others = [o for o in mine if o is not item and o.target == item.target]
        item.shared = tuple("Default" if o.kind == DEFAULT else f"rule {o.index}" for o in others)


def _definition_of(source: Any, state_machine: str | None) -> Any:
    """The definition an Execution (or a list of them) carries, or a Runtime/client knows."""
    items = source if isinstance(source, list | tuple) else [source]
    for item in items:
        found = getattr(item, "definition", None)
        if found is not None and not callable(found):
            return found
    if state_machine is not None and hasattr(source, "describe_state_machine"):
        arn = state_machine
        if not arn.startswith("arn:"):
            arn = f"arn:aws:states:{source.region}:{source.account}:stateMachine:{arn}"
        return source.describe_state_machine(stateMachineArn=arn)["definition"]
    raise SfnNotebookError(
        "coverage needs the definition: pass definition=, or Execution objects, or a Runtime "
        "with state_machine="
    )


def coverage(
    source: Any,
    *,
    definition: Any = None,
    state_machine: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Coverage:
    """The coverage of ``definition`` by every execution in ``source`` (any analysis source:
    Execution objects, a Runtime, a Store, a boto3 client, GetExecutionHistory events).

    Without ``definition`` it is taken from the Execution objects, or from the Runtime for
    ``state_machine=``.
    """
    if definition is None:
        definition = _definition_of(source, state_machine)
    found = Coverage.of(definition)
    for run in runs(source, state_machine=state_machine, status=status, since=since, until=until):
        found.add(run.events())
    return found


def coverage_frame(
    source: Any,
    *,
    definition: Any = None,
    state_machine: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> pd.DataFrame:
    """One row per coverage item of ``definition`` over the executions in ``source``.

    ======== ============== =====================================================
    column   dtype          meaning
    ======== ============== =====================================================
    kind     object (str)   state, next, choice, default, retry, catch
    state    object (str)   the state the item belongs to
    index    Int64          the rule's, retrier's or catcher's position
    target   object (str)   where a transition, rule, Default or Catch leads
    count    int64          how often it was taken
    covered  bool           count > 0
    shared   object (str)   Choice items the history cannot tell from this one
    errors   object (dict)  Retry/Catch: the errors it handled, with counts
    pointer  object (str)   the JSON pointer of the item in the definition
    ======== ============== =====================================================

    >>> import sfn_notebook as sfn
    >>> ex = sfn.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    >>> coverage_frame(ex)[["kind", "state", "count"]].to_dict("records")
    [{'kind': 'state', 'state': 'A', 'count': 1}]
    """
    return coverage(
        source,
        definition=definition,
        state_machine=state_machine,
        status=status,
        since=since,
        until=until,
    ).frame()
