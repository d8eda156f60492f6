"""Parallel, and the helpers the Map state shares: branches as concurrent asyncio tasks.

Event links follow AWS: every branch (and every Map worker, which runs iterations one after the
other) has its own cursor starting at ``<Type>StateStarted``; when they are done the state
continues from the latest of them. A failing branch or iteration cancels its siblings; as on AWS,
each sibling still running then gets its end events (``MapIterationAborted``, then
``<Type>StateAborted`` for the state it was in), all linked to the event that failed the state.
The Map state's runner is in ``engine/mapstate.py``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sfn_notebook.asl import model as m
from sfn_notebook.engine.frame import Frame
from sfn_notebook.engine.history import Cursor, History, dumps
from sfn_notebook.engine.interpreter import (
    Failure,
    Transition,
    Visit,
    compile_machine,
    run_machine,
    runner,
)
from sfn_notebook.engine.task import Recoverable


async def gather_or_cancel(coros: list[Any]) -> list[Any]:
    """Run coroutines concurrently; on the first failure cancel the rest and raise it.

    >>> async def one(n: int) -> int:
    ...     return n
    >>> asyncio.run(gather_or_cancel([one(1), one(2)]))
    [1, 2]
    """
    tasks = [asyncio.ensure_future(c) for c in coros]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def abort_running(history: History, link: int, frame: Frame) -> None:
    """``<Type>StateAborted`` for the state a line of work was in when a sibling failed (a Task
    whose own failure ended the line counts: AWS aborts it too, after TaskFailed). A Map or
    Parallel then ends its own running lines the same way (AWS's order here is unknown; ours
    follows its recorded one level up: the container's event first)."""
    if frame.running is None:
        return
    history.add(Cursor(link), f"{frame.running}StateAborted", advance=False)
    frame.running = None
    inner, frame.abort_inner = frame.abort_inner, None
    if inner is not None:
        inner(link)


@runner("Parallel")
class ParallelRunner(Recoverable):
    failed_type = "ParallelStateFailed"

    def __init__(self, state: m.ParallelState) -> None:
        super().__init__(state)
        self.branches = [compile_machine(branch) for branch in state.branches]
        self.compile_arguments(state)

    async def attempt(self, visit: Visit) -> Transition:
        frame = visit.frame
        history = frame.execution.history
        scope = self.scope(visit)
        branch_input = self.effective_input(visit.input, scope, visit.note)
        history.add(frame.cursor, "ParallelStateStarted")
        text = dumps(branch_input)
        cursors = [frame.cursor.child() for _ in self.branches]
        frames = [frame.child(cursor, path=visit.key or "") for cursor in cursors]
        done = [False] * len(frames)
        failed: list[int] = []

        async def run_branch(index: int) -> Any:
            try:
                output = await run_machine(self.branches[index], frames[index], branch_input, text)
            except Failure:
                failed.append(index)
                raise
            done[index] = True
            return output

        def abort_inner(link: int) -> None:
            for index, branch_frame in enumerate(frames):
                if not done[index]:
                    abort_running(history, link, branch_frame)

        frame.abort_inner = abort_inner
        try:
            outputs = await gather_or_cancel([run_branch(i) for i in range(len(frames))])
        except Failure as failure:
            frame.abort_inner = None
            for cursor in cursors:
                frame.cursor.integrate(cursor)
            if failed and failure.error != "States.Runtime":
                # AWS: the failing branch's state, then each running sibling's, is aborted; the
                # events and ParallelStateFailed link to the event that failed the branch.
                first = failed[0]
                link = cursors[first].source
                for index in [first, *(i for i in range(len(frames)) if i != first)]:
                    if not done[index]:
                        abort_running(history, link, frames[index])
                frame.cursor.source = link
            raise
        frame.abort_inner = None
        for cursor in cursors:
            frame.cursor.integrate(cursor)
        history.add(frame.cursor, "ParallelStateSucceeded", advance=False)
        return self.finish(visit, scope, outputs)
