"""The Map state: its items, ItemSelector, tolerated failures and iterations' events.

Each worker runs iterations one after the other on its own cursor (engine/concurrent.py tells
how events link). An inline Map's iterations write ``MapIteration*`` events to the execution's
history; a Distributed Map runs each item (or batch) as a child execution of a map run, with
events of its own (engine/distributed.py). The ItemReader (engine/items.py) reads the items
lazily; the ResultWriter (engine/results.py) writes the children's results once all have ended.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
from collections import ChainMap
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from sfn_notebook.asl import model as m
from sfn_notebook.engine.concurrent import abort_running, gather_or_cancel
from sfn_notebook.engine.distributed import Batcher, new_child, run_failed, start_map_run
from sfn_notebook.engine.fields import NON_NEGATIVE, PERCENTAGE, NumberField, unexpected_type
from sfn_notebook.engine.frame import Frame
from sfn_notebook.engine.history import Cursor, EventLimitExceeded, History, MapChild, dumps
from sfn_notebook.engine.interpreter import (
    Failure,
    Transition,
    Visit,
    compile_machine,
    run_machine,
    runner,
)
from sfn_notebook.engine.items import READER_FAILED, ItemReader
from sfn_notebook.engine.maprun import KEPT_CHILD_HISTORIES, MAX_CHILDREN, MapRun
from sfn_notebook.engine.pipeline import JsonataValue, Payload, jsonata_states
from sfn_notebook.engine.results import WRITER_FAILED, ResultSink, ResultWriter
from sfn_notebook.engine.task import Recoverable
from sfn_notebook.errors import StatesError
from sfn_notebook.expr.jsonata import QueryEvaluationError
from sfn_notebook.expr.paths import compile_path


@runner("Map")
class MapRunner(Recoverable):
    failed_type = "MapStateFailed"

    def __init__(self, state: m.MapState) -> None:
        super().__init__(state)
        assert state.processor is not None
        self.processor = compile_machine(state.processor)
        self.map_state = state
        if self.jsonata:
            self.items = JsonataValue(state.items, "Items") if state.items is not None else None
            self.selector_jsonata = (
                JsonataValue(state.item_selector, "ItemSelector")
                if state.item_selector is not None
                else None
            )
        else:
            self.items_path = (
                compile_path(state.items_path) if state.items_path not in (None, "$") else None
            )
            self.selector = (
                Payload(state.item_selector, "ItemSelector")
                if state.item_selector is not None
                else None
            )
        self.batcher = (
            Batcher(state.item_batcher, self.jsonata) if state.item_batcher is not None else None
        )
        self.reader = (
            ItemReader(state.item_reader, self.jsonata, self.name)
            if state.item_reader is not None
            else None
        )
        self.writer = (
            ResultWriter(state.result_writer, self.jsonata)
            if state.result_writer is not None
            else None
        )
        self.concurrency = NumberField(
            NON_NEGATIVE, "MaxConcurrency", state.max_concurrency, state.max_concurrency_path
        )
        self.tolerated_count = NumberField(
            NON_NEGATIVE,
            "ToleratedFailureCount",
            state.tolerated_failure_count,
            state.tolerated_failure_count_path,
        )
        self.tolerated_percentage = NumberField(
            PERCENTAGE,
            "ToleratedFailurePercentage",
            state.tolerated_failure_percentage,
            state.tolerated_failure_percentage_path,
        )

    def _items(self, visit: Visit, scope: Any) -> tuple[list[Any], Any]:
        data = visit.input
        if self.jsonata:
            states = jsonata_states(data, scope)
            if self.items is None:
                items = data
                if not isinstance(items, list):
                    raise QueryEvaluationError(
                        f"Map state input must be an array but was: {dumps(items)}", ""
                    )
            else:
                items = self.items.apply(states, scope)
                if not isinstance(items, list):
                    raise QueryEvaluationError(
                        unexpected_type(self.map_state.items, "Items", "array", items), "Items"
                    )
            return items, data
        effective = self.effective(visit, data, scope)
        if self.items_path is None:
            items = effective
            if not isinstance(items, list):
                # AWS's words recorded for JSONata (no Items), kept for JSONPath's default "$".
                raise StatesError(
                    "States.Runtime",
                    f"Map state input must be an array but was: {dumps(items)}",
                )
            return items, effective
        items = self.items_path.evaluate(effective, scope)
        if not isinstance(items, list):
            path = self.map_state.items_path or ""
            shown = path[1:] if path.startswith("$$") else path
            # AWS's words, recorded by TestState, come without the usual "An error occurred ..."
            raise Failure(
                "States.Runtime", f'Reference path "{shown}" must point to array.', self.name
            )
        if visit.note is not None:
            visit.note("afterItemsPath", items)
        return items, effective

    async def attempt(self, visit: Visit) -> Transition:
        runs: list[MapRun] = []  # the map run this attempt started (a Distributed Map)
        try:
            return await self._attempt(visit, runs)
        except BaseException as exc:
            # A map run still RUNNING ends with its state (already ended: no change).
            status = "ABORTED" if isinstance(exc, asyncio.CancelledError) else "FAILED"
            for run in runs:
                run.end(status, visit.frame.execution.clock.now())
            raise

    async def _attempt(self, visit: Visit, runs: list[MapRun]) -> Transition:
        frame = visit.frame
        history = frame.execution.history
        scope = self.scope(visit)
        items, effective, limit = self.prepare(visit, scope)
        # With an ItemReader AWS records a length of 0 (recorded): the items are not read yet.
        history.add(
            frame.cursor, "MapStateStarted", "mapStateStartedEventDetails", {"length": len(items)}
        )
        source = self.reader.prepare(effective, scope) if self.reader is not None else None
        tolerated_count, tolerated_pct = self.tolerated(visit, effective, scope)
        note = visit.note
        if source is None:
            inputs = [
                self._item_input(visit, scope, effective, i, item) for i, item in enumerate(items)
            ]
            item_total = len(inputs)
            if note is not None and self.map_state.item_selector is not None:
                note("afterItemSelector", inputs)
        # The batcher's limits are read before the map run starts (recorded for its *Path fields).
        batching = self.batcher.settings(effective, scope) if self.batcher is not None else None
        if source is None and batching is not None and self.batcher is not None:
            # Each child execution gets one batch; the Map's result is their outputs.
            inputs = items = list(self.batcher.batches(inputs, batching))
            if note is not None:
                note("afterItemBatcher", inputs)
        distributed = self.map_state.mode == "DISTRIBUTED"
        # The map run as DescribeMapRun shows it and UpdateMapRun changes it (a redriven one
        # keeps its earlier children, by index).
        run: MapRun | None = None
        previous: dict[int, MapChild] = {}
        if distributed:
            run, previous = start_map_run(
                frame,
                visit,
                self.name,
                self.map_state.label or self.name,
                (limit, tolerated_count, tolerated_pct),
                (item_total, len(items)) if source is None else None,
                runs,
            )
        map_run_arn = run.arn if run is not None else ""
        sink: ResultSink | None = None
        store = frame.execution.resources.buckets
        try:
            if self.writer is not None:
                standard = self.map_state.execution_type != "EXPRESS"
                rng = frame.execution.rng
                sink = self.writer.start(effective, scope, map_run_arn, rng, standard)
            if source is None:
                total: int | None = len(items)
                queue: Iterator[tuple[int, Any, Any]] = iter(
                    [(i, item, inputs[i]) for i, item in enumerate(items)]
                )
                workers = len(items) if not limit else min(limit, len(items))
            else:
                stream = self._stream(visit, scope, effective, batching, source.items(store))
                total = None
                if tolerated_pct:  # a percentage needs the count: the items are read twice
                    again = source.items(store)
                    count_of = self._stream(visit, scope, effective, batching, again)
                    total = sum(1 for _ in count_of)
                # A Distributed Map runs at most 10,000 children at once (AWS's limit).
                head = list(itertools.islice(stream, min(limit or 10_000, 10_000)))
                workers = len(head)
                queue = itertools.chain(head, stream)
        except StatesError as exc:
            if exc.error not in (READER_FAILED, WRITER_FAILED):
                raise
            raise run_failed(frame, exc, self.name) from None
        results: list[Any] = []
        tolerance = _tolerance(total or 0, tolerated_count, tolerated_pct)
        failures: list[Failure] = []
        read_failure: list[StatesError] = []
        cursors = [frame.cursor.child() for _ in range(workers)]
        clock = frame.execution.clock

        def pull() -> Iterator[tuple[int, Any, Any]]:
            while True:
                try:
                    entry = next(queue)
                except StopIteration:
                    if run is not None:
                        run.exhausted = True
                        run.notify()
                    return
                except StatesError as exc:
                    # Reading, or an ItemSelector on an item read lazily, failed: the siblings
                    # stop, then the state fails with this error (below).
                    read_failure.append(exc)
                    raise Failure(exc.error, exc.cause, self.name) from None
                results.append(None)
                yield entry

        replay = frame.execution.replay if visit.key is not None else None
        # The map run's child executions, for the analysis frames and views (History.map_runs).
        children = run.children if run is not None else []
        active: dict[int, Frame] = {}  # inline iterations started and not yet ended
        ended: list[tuple[int, int]] = []  # the failing iteration and its failure's event

        async def one(cursor: Cursor, index: int, value: Any, item_input: Any) -> None:
            """One iteration, or one child execution of the map run."""
            nonlocal tolerance
            if replay is not None:  # a redrive keeps the iterations that succeeded
                kept = replay.iterations.pop(f"{visit.key}[{index}]", None)
                if kept is not None:
                    results[index] = json.loads(kept)
                    return
            item = {"Index": index, "Value": value}
            detail = {"index": index, "name": self.name}
            child: MapChild | None = None
            if distributed:
                child = previous.pop(index, None)
                if child is not None and child.status == "SUCCEEDED":
                    results[index] = child.output  # a redriven map run keeps its successes
                    if sink is not None:
                        assert child.stop is not None
                        sink.succeeded(
                            index, item_input, child.start, child.stop, child.output, child.name
                        )
                    return
                if child is not None:  # failed or aborted: the same child execution reruns
                    child.status, child.stop, child.error, child.cause = "RUNNING", None, None, None
                    child.events = child.input = None
                else:
                    child = new_child(frame, index, item_input, batching is not None)
                    children.append(child)
                # A child execution of the map run: its events are its own, not the parent's.
                child_context = replace(
                    frame.execution, history=History(frame.execution.clock.now), replay=None
                )
                item_frame = Frame(child_context, Cursor(), ChainMap({}, frame.variables), item)
            else:
                path = f"{visit.key}[{index}]" if visit.key is not None else ""
                item_frame = frame.child(cursor, item, path)
                history.add(
                    cursor, "MapIterationStarted", "mapIterationStartedEventDetails", detail
                )
                active[index] = item_frame
            started = clock.now()
            try:
                try:
                    output = await run_machine(self.processor, item_frame, item_input)
                except EventLimitExceeded as exc:
                    if not distributed:
                        raise  # the execution's own history is full: it ends as it stands
                    # A child execution filled its own history: that child fails.
                    raise Failure(exc.error, exc.cause) from None
            except Failure as failure:
                failures.append(failure)
                name = None
                if child is not None:
                    child.status, child.stop = "FAILED", clock.now()
                    child.error, child.cause = failure.error or None, failure.cause_or_none
                    name = child.name
                    if len(failures) <= KEPT_CHILD_HISTORIES:
                        child.events = item_frame.execution.history.events
                        child.input = item_input
                if sink is not None:
                    sink.failed(index, item_input, started, clock.now(), failure, name)
                if run is not None:  # as the map run's settings stand now (UpdateMapRun)
                    tolerance = run.tolerance(total if total is not None else len(results))
                if tolerance is None or len(failures) > tolerance:
                    # The first failure ends the Map; the events are written once every
                    # sibling has stopped (``_end_lines``).
                    if not ended:
                        ended.append((index, cursor.source))
                    raise
                if not distributed:
                    history.add(
                        cursor,
                        "MapIterationFailed",
                        "mapIterationFailedEventDetails",
                        detail,
                        advance=False,
                    )
                active.pop(index, None)
                return
            except asyncio.CancelledError:
                if child is not None:
                    child.status, child.stop = "ABORTED", clock.now()
                if frame.execution.stopped.is_set() and not distributed:
                    history.add(
                        cursor,
                        "MapIterationAborted",
                        "mapIterationAbortedEventDetails",
                        detail,
                        advance=False,
                        force=True,
                    )
                raise
            if child is not None:
                child.status, child.stop, child.output = "SUCCEEDED", clock.now(), output
            if sink is None:
                results[index] = output
            else:
                name = child.name if child is not None else None
                sink.succeeded(index, item_input, started, clock.now(), output, name)
            active.pop(index, None)
            if not distributed:
                history.add(
                    cursor,
                    "MapIterationSucceeded",
                    "mapIterationSucceededEventDetails",
                    detail,
                    advance=False,
                )

        async def work(cursor: Cursor) -> None:
            entries = pull()
            while True:
                if run is not None:  # MaxConcurrency, as it stands now (UpdateMapRun)
                    await run.slot()
                try:
                    entry = next(entries, None)
                    if entry is None:
                        break
                    await one(cursor, *entry)
                finally:
                    if run is not None:
                        run.release()
            cursor.source = cursor.last

        async def spawn() -> None:
            """More workers when UpdateMapRun raises MaxConcurrency above their number."""
            assert run is not None
            while not run.exhausted:
                await run.changed()
                extra = min(run.max_concurrency or MAX_CHILDREN, MAX_CHILDREN) - len(cursors)
                if total is not None:
                    extra = min(extra, total - len(results))  # no more than items left
                if extra > 0 and not run.exhausted:
                    more = [frame.cursor.child() for _ in range(extra)]
                    cursors.extend(more)
                    await gather_or_cancel([work(cursor) for cursor in more] + [spawn()])
                    return

        def abort_inner(link: int) -> None:
            self._end_lines(history, link, [(f, "Aborted", i) for i, f in sorted(active.items())])

        frame.abort_inner = abort_inner
        try:
            coros = [work(cursor) for cursor in cursors]
            if run is not None and cursors:
                coros.append(spawn())
            await gather_or_cancel(coros)
        except Failure as failure:
            frame.abort_inner = None
            for cursor in cursors:
                frame.cursor.integrate(cursor)
            if not distributed and ended:
                failed, link = ended[0]
                if failure.error == "States.Runtime":  # fails the execution: nothing is aborted
                    self._end_lines(history, link, [(None, "Failed", failed)])
                else:
                    lines: list[tuple[Frame | None, str, int]] = [
                        (active[failed], "Failed", failed)
                    ]
                    lines += [(f, "Aborted", i) for i, f in sorted(active.items()) if i != failed]
                    self._end_lines(history, link, lines)
                    frame.cursor.source = link
            if read_failure:
                if read_failure[0].error == READER_FAILED:
                    raise run_failed(frame, read_failure[0], self.name) from None
                # AWS's events for an ItemSelector failing on a read item are unknown.
                history.add(frame.cursor, "MapRunFailed", advance=False)
                raise read_failure[0] from None
            if run is not None:
                run.end("FAILED", clock.now())
                history.add(frame.cursor, "MapRunFailed", advance=False)
            if tolerance is not None:
                raise Failure(
                    "States.ExceedToleratedFailureThreshold",
                    "The specified tolerated failure threshold was exceeded",
                    self.name,
                ) from None
            raise failure from None
        frame.abort_inner = None
        if sink is not None:
            # The results are written once every child has ended (AWS's order is unknown; a map
            # run that fails writes nothing here).
            try:
                finished = sink.finish(store)
            except StatesError as exc:
                raise run_failed(frame, exc, self.name) from None
            if run is not None:
                ended_ok = [c for c in children if c.status in ("SUCCEEDED", "FAILED")]
                run.results_written = sum(c.item_count for c in ended_ok)
        if run is not None:
            run.end("SUCCEEDED", clock.now())
            # AWS (recordings since late 2024) links MapStateSucceeded to MapRunSucceeded and
            # the state's exit to MapRunStarted; earlier recordings linked the exit further on.
            history.add(frame.cursor, "MapRunSucceeded", advance=False)
            history.add(Cursor(frame.cursor.last), "MapStateSucceeded")
        else:
            for cursor in cursors:
                frame.cursor.integrate(cursor)
            history.add(frame.cursor, "MapStateSucceeded", advance=False)
        return self.finish(visit, scope, results if sink is None else finished)

    def prepare(self, visit: Visit, scope: Any) -> tuple[list[Any], Any, int | None]:
        """The items (none yet with an ItemReader), the effective input and MaxConcurrency
        (AWS reads it before MapStateStarted, the tolerated failures after it)."""
        if self.reader is not None:
            # AWS ignores ItemsPath when an ItemReader reads the items (recorded, Jan 2025).
            items: list[Any] = []
            effective = visit.input if self.jsonata else self.effective(visit, visit.input, scope)
        else:
            items, effective = self._items(visit, scope)
        limit = self.concurrency.value(effective, scope)
        if visit.note is not None:
            visit.note("maxConcurrency", limit or 0)
        return items, effective, limit

    def tolerated(self, visit: Visit, effective: Any, scope: Any) -> tuple[Any, Any]:
        """ToleratedFailureCount and ToleratedFailurePercentage (None when not given)."""
        count = self.tolerated_count.value(effective, scope)
        percentage = self.tolerated_percentage.value(effective, scope)
        note = visit.note
        if note is not None:
            if count is not None:
                note("toleratedFailureCount", count)
            if percentage is not None:
                note("toleratedFailurePercentage", float(percentage))
        return count, percentage

    def iteration_inputs(
        self, visit: Visit, scope: Any, effective: Any, items: Iterable[Any]
    ) -> list[Any]:
        """Every child's input for ``items`` (read whole): ItemSelector on each item, then
        ItemBatcher's batches, each reported to the stage observer. TestState shows them so."""
        inputs = [
            self._item_input(visit, scope, effective, i, item) for i, item in enumerate(items)
        ]
        note = visit.note
        if note is not None and self.map_state.item_selector is not None:
            note("afterItemSelector", inputs)
        if self.batcher is not None:
            batching = self.batcher.settings(effective, scope)
            inputs = list(self.batcher.batches(inputs, batching))
            if note is not None:
                note("afterItemBatcher", inputs)
        return inputs

    def _end_lines(
        self, history: History, link: int, lines: list[tuple[Frame | None, str, int]]
    ) -> None:
        """The events AWS writes when a failing iteration ends the Map: ``MapIterationFailed``
        for it, ``MapIterationAborted`` for each sibling still running, each followed by
        ``<Type>StateAborted`` for the state it was in; all link to the failure's event."""
        for item_frame, outcome, index in lines:
            history.add(
                Cursor(link),
                f"MapIteration{outcome}",
                f"mapIteration{outcome}EventDetails",
                {"index": index, "name": self.name},
                advance=False,
            )
            if item_frame is not None:
                abort_running(history, link, item_frame)

    def _stream(
        self, visit: Visit, scope: Any, effective: Any, batching: Any, read: Iterable[Any]
    ) -> Iterator[tuple[int, Any, Any]]:
        """(index, $$.Map.Item.Value, child input) for items read lazily: ItemSelector on each,
        then ItemBatcher's batches."""
        if self.batcher is not None and batching is not None:
            inputs = (
                self._item_input(visit, scope, effective, i, item) for i, item in enumerate(read)
            )
            for index, batch in enumerate(self.batcher.batches(inputs, batching)):
                yield index, batch, batch
            return
        for index, item in enumerate(read):
            yield index, item, self._item_input(visit, scope, effective, index, item)

    def _item_input(self, visit: Visit, scope: Any, effective: Any, index: int, item: Any) -> Any:
        if self.jsonata:
            if self.selector_jsonata is None:
                return item
            item_frame = visit.frame.child(visit.frame.cursor, {"Index": index, "Value": item})
            context = item_frame.scope(self.name, visit.entered_at, visit.retry_count).context
            states = {"input": visit.input, "context": context}
            return self.selector_jsonata.apply(states, scope)
        if self.selector is None:
            return item
        item_frame = visit.frame.child(visit.frame.cursor, {"Index": index, "Value": item})
        return self.selector.apply(
            effective, item_frame.scope(self.name, visit.entered_at, visit.retry_count)
        )


def _tolerance(total: int, count: int | None, percentage: float | None) -> int | None:
    """How many failed iterations the Map tolerates; None when it tolerates none (fail fast)."""
    allowed: list[int] = []
    if count is not None:
        allowed.append(count)
    if percentage is not None:
        allowed.append(math.floor(total * percentage / 100))
    if not allowed or (max(allowed) == 0 and not (count or percentage)):
        return None
    return max(allowed)
