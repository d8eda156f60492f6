"""The split view's editor in a real JupyterLab and Chromium: it is a full document editor.

Undo/redo, find and the status bar's line/column work as in the plain editor; findings are
underlined in the text with the message on hover; Format document; the dark theme; a syntax
error's finding jumps to the line the parser names. Uses test_labextension_browser.py's
JupyterLab and browser_support.py's Chromium (same skips); screenshots go to test-output/.
"""

from __future__ import annotations

import json
from typing import Any

import browser_support as support
import test_labextension_browser as shared
from browser_support import LabServer, open_lab, screenshot, theme, wait_ready
from test_labextension_browser import SAMPLE

# The server of test_labextension_browser (one for this module), browser_support's Chromium.
lab = shared.lab
browser = support.browser
page = support.page

EDITOR = "jupyterapp.shell.currentWidget.content.editor"
TEXT = "() => jupyterapp.shell.currentWidget.context.model.toString()"


def editor_text(page: Any) -> str:
    return str(page.evaluate(TEXT))


def put_cursor(page: Any, line: int, column: int) -> None:
    page.evaluate(
        f"([line, column]) => {{ {EDITOR}.setCursorPosition({{line, column}});"
        f" {EDITOR}.focus(); }}",
        [line, column],
    )


def cursor_line(page: Any) -> int:
    return int(page.evaluate(f"() => {EDITOR}.getCursorPosition().line"))


def test_undo_redo_find_and_line_column_in_the_split_view(page: Any, lab: LabServer) -> None:
    (lab.root / "undo.asl.yaml").write_text(SAMPLE)
    open_lab(page, lab, "undo.asl.yaml")
    wait_ready(page, "Valid state machine")
    lines = SAMPLE.splitlines()
    line = lines.index("  Backorder:")
    put_cursor(page, line, len("  Backorder"))
    page.keyboard.type("Later", delay=20)
    assert "  BackorderLater:" in editor_text(page)

    # Ctrl+Z reaches the editor (JupyterLab binds it to the Edit menu's undo).
    assert page.evaluate("() => jupyterapp.commands.isEnabled('editmenu:undo')")
    page.keyboard.press("Control+z")
    page.wait_for_function(f"() => !({TEXT})().includes('BackorderLater')")
    assert editor_text(page) == SAMPLE
    page.keyboard.press("Control+Shift+z")
    page.wait_for_function(f"() => ({TEXT})().includes('BackorderLater')")
    # And through the menu command, as Edit → Undo runs it.
    page.evaluate("() => jupyterapp.commands.execute('editmenu:undo')")
    page.wait_for_function(f"() => !({TEXT})().includes('BackorderLater')")

    # The status bar shows the cursor's line and column.
    put_cursor(page, line, 4)
    status = page.locator(".jp-StatusBar-Widget", has_text="Ln ")
    status.filter(has_text=f"Ln {line + 1}, Col 5").wait_for()

    # Ctrl+F opens the search box on this editor and finds the matches.
    assert page.evaluate("() => jupyterapp.commands.isEnabled('documentsearch:start')")
    page.keyboard.press("Control+f")
    search = page.locator(".jp-DocumentSearch-input").first
    search.wait_for()
    search.fill("Charge")
    expected = SAMPLE.count("Charge")
    page.locator(".jp-DocumentSearch-index-counter", has_text=f"/{expected}").wait_for()
    screenshot(page, "editor-find.png")
    assert page.errors == []


def test_findings_are_underlined_with_the_message_on_hover(page: Any, lab: LabServer) -> None:
    text = SAMPLE.replace("    Next: Charge\n", "    Next: Nowhere\n", 1)
    (lab.root / "underline.asl.yaml").write_text(text)
    open_lab(page, lab, "underline.asl.yaml")
    wait_ready(page, "1 error")
    underline = page.locator(".cm-lintRange-error").first
    underline.wait_for()
    # The value of the field, not the whole line.
    assert underline.text_content() == "Nowhere"
    underline.hover()
    tooltip = page.locator(".cm-tooltip-lint")
    tooltip.wait_for()
    assert "MISSING_TRANSITION_TARGET" in tooltip.text_content()
    assert "Nowhere" in tooltip.text_content()
    assert page.locator(".cm-gutter-lint .cm-lint-marker-error").count() == 1
    screenshot(page, "editor-underline-missing-target.png")

    # F8 moves the cursor to the problem.
    put_cursor(page, 0, 0)
    page.keyboard.press("F8")
    assert cursor_line(page) == next(
        n for n, line in enumerate(text.splitlines()) if line.endswith("Next: Nowhere")
    )

    # A JSONata error is underlined at the character the parser names.
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Output": "{% $states.input.a + %}", "End": True}},
    }
    (lab.root / "jsonata.asl.json").write_text(json.dumps(machine, indent=2))
    open_lab(page, lab, "jsonata.asl.json")
    wait_ready(page, "1 error")
    underline = page.locator(".cm-lintRange-error").first
    underline.wait_for()
    # S0207 "Unexpected end of expression": the character the validator's column names (the
    # one after `+ `), and only that one.
    reply = lab.request("POST", "/sfn-notebook/api/validate", {"text": json.dumps(machine)})
    [finding] = reply["diagnostics"]
    assert finding["snippet"] == "{% $states.input.a + %}"
    assert underline.text_content() == finding["snippet"][finding["column"] - 1]
    start = page.evaluate(
        "() => { const v = jupyterapp.shell.currentWidget.content.editor.editor;"
        " return v.posAtDOM(document.querySelector('.cm-lintRange-error')); }"
    )
    source = editor_text(page)
    assert start == source.index("{% $states") + finding["column"] - 1
    underline.hover()
    tooltip = page.locator(".cm-tooltip-lint")
    tooltip.wait_for()
    assert "S0207" in tooltip.text_content()
    screenshot(page, "editor-underline-jsonata.png")
    assert page.errors == []


def test_format_document_json_and_yaml(page: Any, lab: LabServer) -> None:
    messy = '{"StartAt":"A",\n"States":{"A":{"Type":"Pass","End":true}}}'
    (lab.root / "messy.asl.json").write_text(messy)
    open_lab(page, lab, "messy.asl.json")
    wait_ready(page, "Valid state machine")
    put_cursor(page, 0, 0)
    page.keyboard.press("Shift+Alt+f")
    page.wait_for_function(f"() => ({TEXT})().startsWith('{{\\n  \"StartAt\"')")
    assert json.loads(editor_text(page)) == json.loads(messy)
    assert editor_text(page) == json.dumps(json.loads(messy), indent=2) + "\n"
    # One undo step brings the original back.
    page.keyboard.press("Control+z")
    page.wait_for_function(f"([t]) => ({TEXT})() === t", arg=[messy])

    yaml_text = "# keep me\nStartAt: A\nStates:\n    A: {Type: Pass,   End: true}\n"
    (lab.root / "messy.asl.yaml").write_text(yaml_text)
    open_lab(page, lab, "messy.asl.yaml")
    wait_ready(page, "Valid state machine")
    page.evaluate("() => jupyterapp.commands.execute('sfn-notebook:format')")
    page.wait_for_function(f"() => !({TEXT})().includes('Pass,   End')")
    formatted = editor_text(page)
    assert formatted.startswith("# keep me\nStartAt: A\nStates:\n  A:")
    screenshot(page, "editor-format.png")
    assert page.errors == []


def test_syntax_error_finding_jumps_to_the_named_line(page: Any, lab: LabServer) -> None:
    broken = SAMPLE.replace("    Seconds: 60\n", "    Seconds: 60\n   Oops: [\n", 1)
    (lab.root / "broken.asl.yaml").write_text(broken)
    open_lab(page, lab, "broken.asl.yaml")
    problem = page.locator('.sfn-Problem[data-code="INVALID_JSON_DESCRIPTION"]')
    problem.wait_for()
    message = problem.locator(".sfn-Problem-message").text_content()
    named = int(message.split(" line ")[1].split()[0].rstrip(","))
    assert named > 10  # the broken line is deep in the file, not line 1 or 2
    problem.click()
    assert cursor_line(page) == named - 1
    assert f"line {named}" in problem.locator(".sfn-Problem-location").text_content()

    broken_json = (
        '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass" "End": true}\n  }\n}'
    )
    (lab.root / "broken.asl.json").write_text(broken_json)
    open_lab(page, lab, "broken.asl.json")
    problem.wait_for()
    problem.click()
    assert cursor_line(page) == 3
    column = page.evaluate(f"() => {EDITOR}.getCursorPosition().column")
    assert broken_json.splitlines()[3][column] == '"'  # the `"End"` the parser expected a , before
    assert page.errors == []


def test_dark_theme_graph_has_no_white_card(page: Any, lab: LabServer) -> None:
    (lab.root / "dark.asl.yaml").write_text(SAMPLE)
    open_lab(page, lab, "dark.asl.yaml")
    panel = wait_ready(page, "Valid state machine")
    theme(page, "JupyterLab Dark")
    # Graphviz wraps shapes in tooltip links: g.graph > g > a > polygon is the background.
    background = panel.locator("svg g.graph > g > a > polygon").first
    assert background.evaluate("el => getComputedStyle(el).fill") in (
        "none",
        "transparent",
        "rgba(0, 0, 0, 0)",
    )
    box = panel.locator('g.node[data-state="Backorder"] :is(path, polygon)')
    fill = box.first.evaluate("el => getComputedStyle(el).fill")
    assert fill != "rgb(255, 255, 255)"
    shot = screenshot(page, "editor-dark-theme.png")
    assert shot.stat().st_size > 10_000
    theme(page, "JupyterLab Light")
    assert page.errors == []


def test_empty_problems_pane_is_one_line_and_validate_lists_every_problem(
    page: Any, lab: LabServer
) -> None:
    (lab.root / "clean.asl.yaml").write_text(SAMPLE)
    open_lab(page, lab, "clean.asl.yaml")
    panel = wait_ready(page, "Valid state machine")
    problems = panel.locator(".sfn-GraphPanel-problems")
    assert problems.text_content() == "No problems"
    pane = problems.bounding_box()
    whole = panel.bounding_box()
    assert pane["height"] < 40 < whole["height"] / 3

    # Several problems: the toast counts them all and "Show all" lists every one.
    text = SAMPLE.replace("Next: Done", "Next: Gone").replace("Default: Backorder", "Default: X")
    expected = lab.request("POST", "/sfn-notebook/api/validate", {"text": text})["diagnostics"]
    n = len(expected)
    assert n >= 2
    (lab.root / "two.asl.yaml").write_text(text)
    open_lab(page, lab, "two.asl.yaml")
    wait_ready(page, f"{n} errors")
    assert problems.bounding_box()["height"] > pane["height"]
    page.evaluate("() => { void jupyterapp.commands.execute('sfn-notebook:validate'); }")
    toast = page.locator(".Toastify__toast", has_text=f"two.asl.yaml: {n} problems ({n} errors)")
    toast.wait_for()
    toast.get_by_text("Show all").click()
    dialog = page.locator(".jp-Dialog .sfn-ProblemDialog")
    dialog.wait_for()
    items = dialog.locator("li").all_text_contents()
    assert items == [f"{d['location']}: {d['code']} {d['message']}" for d in expected]
    screenshot(page, "editor-validate-all-problems.png")
    page.locator(".jp-Dialog .jp-mod-accept").click()

    # A ${Name} placeholder: an INFO note, no error, the state not outlined.
    sam = SAMPLE.replace(
        "arn:aws:lambda:us-east-1:123456789012:function:validate", "${ValidateFunctionArn}"
    )
    (lab.root / "sam.asl.yaml").write_text(sam)
    open_lab(page, lab, "sam.asl.yaml")
    panel = wait_ready(page, "Valid state machine (1 note)")
    note = panel.locator('.sfn-Problem[data-code="DEFINITION_SUBSTITUTION"]')
    assert "${ValidateFunctionArn}" in note.text_content()
    assert panel.locator("g.node.sfn-mod-error, g.node.sfn-mod-warning").count() == 0
    page.locator(".cm-lintRange-info").first.wait_for()
    assert page.errors == []
