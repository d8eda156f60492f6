"""Testing workflows without AWS: assertions, MockConfigFile test cases, fault injection,
coverage across a test session, record and replay (an execution, local or from AWS, as a
MockConfigFile test case replayed locally and compared state by state), and a pytest plugin
(``sfn_notebook.testing.plugin``, loaded through the ``pytest11`` entry point when
sfn-notebook is installed).

>>> import sfn_notebook as sfn
>>> from sfn_notebook import testing
>>> ex = sfn.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
>>> testing.assert_path(ex, ["A"])

pytest is imported only by the plugin module.
"""

from sfn_notebook.testing.assertions import (
    assert_path,
    assert_retried,
    assert_state_output,
    assert_status,
    path,
    retries,
    state_output,
    state_visits,
)
from sfn_notebook.testing.cases import (
    CaseResult,
    definition_for,
    mock_test_cases,
    run_test_case,
    run_test_cases,
)
from sfn_notebook.testing.collector import CoverageCollector
from sfn_notebook.testing.faults import FaultOutcome, fault_graph, fault_outcomes, inject_faults
from sfn_notebook.testing.recording import Recording, RecordingError, load_recording, record
from sfn_notebook.testing.replay import Difference, ReplayReport, replay, write_replay_test

__all__ = [
    "CaseResult",
    "CoverageCollector",
    "Difference",
    "FaultOutcome",
    "Recording",
    "RecordingError",
    "ReplayReport",
    "assert_path",
    "assert_retried",
    "assert_state_output",
    "assert_status",
    "definition_for",
    "fault_graph",
    "fault_outcomes",
    "inject_faults",
    "load_recording",
    "mock_test_cases",
    "path",
    "record",
    "replay",
    "retries",
    "run_test_case",
    "run_test_cases",
    "state_output",
    "state_visits",
    "write_replay_test",
]
