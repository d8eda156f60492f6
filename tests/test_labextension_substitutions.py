"""The editor's reading of SAM/CDK definitions: ``${Name}`` placeholders and syntax positions.

``sfn.validate`` keeps AWS's verdict on the raw text; the labextension's routes (validate_reply /
graph_reply) accept placeholders with an INFO note, as the AWS toolkits present these files.
"""

from __future__ import annotations

import sfn_notebook
from sfn_notebook.labext.graph import graph_reply, validate_reply

SAM = """\
StartAt: Invoke
States:
  Invoke:
    Type: Task
    Resource: ${ProcessFunctionArn}
    Next: Notify
  Notify:
    Type: Task
    Resource: arn:${AWS::Partition}:states:::sqs:sendMessage
    Parameters:
      QueueUrl: ${QueueUrl}
      MessageBody.$: $
    TimeoutSeconds: ${Timeout}
    End: true
"""


def codes(diagnostics: list[dict]) -> list[tuple[str, str, str]]:
    return [(d["severity"], d["code"], d["location"]) for d in diagnostics]


def test_placeholders_pass_in_the_editor_with_an_info_note() -> None:
    found = codes(validate_reply(SAM)["diagnostics"])
    assert ("INFO", "DEFINITION_SUBSTITUTION", "/States/Invoke/Resource") in found
    assert ("INFO", "DEFINITION_SUBSTITUTION", "/States/Notify/Resource") in found
    assert ("INFO", "DEFINITION_SUBSTITUTION", "/States/Notify/Parameters/QueueUrl") in found
    # The unknown-resource errors AWS would give on the raw text are waived ...
    errors = [f for f in found if f[0] == "ERROR"]
    assert ("ERROR", "SCHEMA_VALIDATION_FAILED", "/States/Invoke/Resource") not in errors
    # ... but a type error stays: substitution is textual, "${Timeout}" stays a string.
    assert errors == [("ERROR", "SCHEMA_VALIDATION_FAILED", "/States/Notify/TimeoutSeconds")]
    note = next(
        d for d in validate_reply(SAM)["diagnostics"] if d["location"] == "/States/Invoke/Resource"
    )
    assert "${ProcessFunctionArn}" in note["message"]
    assert "AWS would reject it" in note["message"]
    assert "is not recognized" in note["message"]


def test_sfn_validate_keeps_aws_verdict_on_placeholders() -> None:
    found = [(d.code, d.location) for d in sfn_notebook.validate(SAM)]
    assert ("SCHEMA_VALIDATION_FAILED", "/States/Invoke/Resource") in found
    assert all(d.severity != "INFO" for d in sfn_notebook.validate(SAM))


def test_without_placeholders_the_editor_equals_sfn_validate() -> None:
    text = SAM.replace("${ProcessFunctionArn}", "arn:aws:lambda:us-east-1:123456789012:function:f")
    text = text.replace("arn:${AWS::Partition}", "arn:aws").replace("${QueueUrl}", "https://q")
    text = text.replace("${Timeout}", "30")
    assert validate_reply(text)["diagnostics"] == []
    assert sfn_notebook.validate(text) == []
    # The graph is still drawn for a definition with placeholders.
    assert graph_reply(SAM)["dot"].startswith("digraph")


def test_syntax_errors_carry_the_parser_line_and_column() -> None:
    broken_json = '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass" "End": true}}}'
    [d] = validate_reply(broken_json)["diagnostics"]
    assert (d["code"], d["line"], d["column"]) == ("INVALID_JSON_DESCRIPTION", 4, 26)
    assert broken_json.splitlines()[3][25] == '"'
    broken_yaml = "StartAt: A\nStates:\n  A:\n    Type: Pass\n   End: true\n"
    [d] = validate_reply(broken_yaml)["diagnostics"]
    assert d["line"] == 5 and d["column"] == 4
    # A finding located by pointer has no parser line.
    [d] = validate_reply("StartAt: A\nStates: {A: {Type: Pass, Next: B}}")["diagnostics"][:1]
    assert d["line"] is None
