"""The split view's editor helps in a real JupyterLab and Chromium: completion, hover docs,
Run locally, Go to Line, and readable Start/End circles in the dark theme.

Uses test_labextension_browser.py's JupyterLab and browser_support.py's Chromium (same skips);
screenshots go to test-output/.
"""

from __future__ import annotations

import json
from typing import Any

import browser_support as support
import test_labextension_browser as shared
from browser_support import LabServer, open_lab, screenshot, theme, wait_ready
from test_labextension_browser import SAMPLE

lab = shared.lab
browser = support.browser
page = support.page

EDITOR = "jupyterapp.shell.currentWidget.content.editor"
TEXT = "() => jupyterapp.shell.currentWidget.context.model.toString()"


def put_cursor(page: Any, line: int, column: int) -> None:
    page.evaluate(
        f"([line, column]) => {{ {EDITOR}.setCursorPosition({{line, column}});"
        f" {EDITOR}.focus(); }}",
        [line, column],
    )


def hover_at(page: Any, offset: int) -> None:
    """Move the mouse onto the character at ``offset`` of the editor's text."""
    box = page.evaluate(
        f"(offset) => {{ const c = {EDITOR}.editor.coordsAtPos(offset);"
        " return {x: (c.left + c.right) / 2 + 2, y: (c.top + c.bottom) / 2}; }",
        offset,
    )
    page.mouse.move(box["x"] - 20, box["y"] + 40)
    page.mouse.move(box["x"], box["y"], steps=4)


def test_catalog_route_serves_the_engines_catalog(lab: LabServer) -> None:
    from sfn_notebook.labext.catalog import catalog

    reply = lab.request("GET", "/sfn-notebook/api/catalog")
    assert reply == json.loads(json.dumps(catalog()))


def test_completion_of_a_state_name_and_of_fields(page: Any, lab: LabServer) -> None:
    text = SAMPLE.replace("    Seconds: 60\n    Next: Charge\n", "    Seconds: 60\n    Next: \n")
    (lab.root / "complete.asl.yaml").write_text(text)
    open_lab(page, lab, "complete.asl.yaml")
    wait_ready(page)
    line = text.splitlines().index("    Next: ")
    put_cursor(page, line, len("    Next: "))
    page.keyboard.type("Ch", delay=30)
    popup = page.locator(".cm-tooltip-autocomplete")
    popup.wait_for()
    labels = popup.locator("li .cm-completionLabel").all_text_contents()
    assert labels == ["Charge", "Choice"] or labels[0] == "Charge", labels
    screenshot(page, "editor-complete-state-name.png")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => ({TEXT})().includes('    Seconds: 60\\n    Next: Charge\\n')")
    wait_ready(page, "Valid state machine")

    # Ctrl+Space on a new line of the Wait state: its fields, without those it has.
    offset = page.evaluate(TEXT).index("  Charge:\n")
    page.evaluate(
        "(offset) => jupyterapp.shell.currentWidget.context.model.sharedModel"
        ".updateSource(offset, offset, '    Sec\\n')",
        offset,
    )
    put_cursor(page, line + 1, len("    Sec"))
    page.keyboard.press("Control+Space")
    popup.wait_for()
    labels = popup.locator("li .cm-completionLabel").all_text_contents()
    assert "SecondsPath" in labels and "Resource" not in labels, labels
    assert "Seconds" not in labels  # already there
    # The option's doc is shown beside the list.
    page.locator(".cm-completionInfo").wait_for()
    assert "JSONPath" in page.locator(".cm-completionInfo").text_content()
    screenshot(page, "editor-complete-fields.png")
    page.keyboard.press("Escape")
    assert page.errors == []


def test_hover_on_a_field_shows_its_doc(page: Any, lab: LabServer) -> None:
    (lab.root / "hover.asl.yaml").write_text(SAMPLE)
    open_lab(page, lab, "hover.asl.yaml")
    wait_ready(page, "Valid state machine")
    offset = SAMPLE.index("Resource:") + 3
    hover_at(page, offset)
    doc = page.locator(".sfn-HoverDoc")
    doc.wait_for()
    assert doc.locator(".sfn-HoverDoc-title").text_content() == "Resource"
    assert "Lambda function" in doc.text_content()
    assert doc.locator(".sfn-HoverDoc-meta").text_content() == "Task · required"
    screenshot(page, "editor-hover-field.png")

    # A Catch rule's Next is documented as the catcher's.
    offset = SAMPLE.index("Next: Rejected") + 1
    page.mouse.move(5, 5)
    doc.wait_for(state="detached")
    hover_at(page, offset)
    doc.wait_for()
    assert "catcher" in doc.text_content()
    assert page.errors == []


def test_run_locally_opens_the_execution_view_beside_the_editor(page: Any, lab: LabServer) -> None:
    machine = {
        "Comment": "run from the editor",
        "StartAt": "Add",
        "States": {
            "Add": {
                "Type": "Pass",
                "Parameters": {"sum.$": "States.MathAdd($.a, $.b)"},
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    (lab.root / "adder.asl.json").write_text(json.dumps(machine, indent=2))
    (lab.root / "adder-input.json").write_text('{"a": 40, "b": 2}')
    open_lab(page, lab, "adder.asl.json")
    wait_ready(page, "Valid state machine")

    # The toolbar button asks for the input; pick the JSON file of the same folder.
    page.locator(
        ".jp-Toolbar-item[data-jp-item-name='sfn-run'] button, [data-jp-item-name='sfn-run']"
    ).first.click()
    dialog = page.locator(".jp-Dialog .sfn-RunDialog")
    dialog.wait_for()
    dialog.locator("select").select_option("adder-input.json")
    screenshot(page, "editor-run-dialog.png")
    page.locator(".jp-Dialog .jp-mod-accept").click()

    # A console for the file opens beside the editor, runs the file, and shows the view.
    console = page.locator(".jp-ConsolePanel")
    console.wait_for(timeout=60_000)
    view = console.locator(".sfn-execution-view")
    view.wait_for(timeout=60_000)
    page.wait_for_function(
        "() => document.querySelector('.jp-ConsolePanel .sfn-execution-view')"
        ".textContent.includes('succeeded')",
        timeout=60_000,
    )
    cells = ".jp-CodeConsole-content .jp-CodeCell .jp-InputArea-editor"
    code = console.locator(cells).first.text_content()
    assert 'run_from_editor("adder.asl.json", input_path="adder-input.json")' in code
    assert "2 states run" in view.text_content()
    # Beside the editor: both visible at once, the console to the right.
    editor_box = page.locator(".sfn-StateMachineDocument").first.bounding_box()
    console_box = console.bounding_box()
    assert console_box["x"] >= editor_box["x"] + editor_box["width"] - 5
    screenshot(page, "editor-run-locally.png")
    # The editor keeps the focus, so the next run is one click (or command) away.
    page.wait_for_function("() => jupyterapp.commands.isEnabled('sfn-notebook:run')")

    # A second run (input typed as the command's argument) reuses the same console.
    page.locator(".sfn-StateMachineDocument .cm-content").first.click()
    page.wait_for_function("() => jupyterapp.commands.isEnabled('sfn-notebook:run')")
    page.evaluate(
        "() => { void jupyterapp.commands.execute('sfn-notebook:run',"
        ' {input: \'{"a": 1, "b": 2}\'}); }'
    )
    page.wait_for_function(
        "() => document.querySelectorAll('.jp-ConsolePanel .sfn-execution-view').length === 2"
        " && document.querySelectorAll('.jp-ConsolePanel .sfn-execution-view')[1]"
        ".textContent.includes('succeeded')",
        timeout=60_000,
    )
    inputs = console.locator(cells).all_text_contents()
    assert 'input_json="{\\"a\\": 1, \\"b\\": 2}"' in inputs[1], inputs
    assert page.locator(".jp-ConsolePanel").count() == 1

    # Bad input: AWS's InvalidExecutionInput message, one line, no traceback.
    page.locator(".sfn-StateMachineDocument .cm-content").first.click()
    page.wait_for_function("() => jupyterapp.commands.isEnabled('sfn-notebook:run')")
    page.evaluate(
        "() => { void jupyterapp.commands.execute('sfn-notebook:run', {input: '{bad'}); }"
    )
    stderr = "application/vnd.jupyter.stderr"
    error = console.locator(f".jp-OutputArea-output[data-mime-type='{stderr}']")
    error.first.wait_for(timeout=60_000)
    assert "Invalid State Machine Execution Input" in error.first.text_content()
    assert "Traceback" not in error.first.text_content()
    assert page.errors == []


def test_go_to_line_in_the_split_view(page: Any, lab: LabServer) -> None:
    (lab.root / "goto.asl.yaml").write_text(SAMPLE)
    open_lab(page, lab, "goto.asl.yaml")
    wait_ready(page, "Valid state machine")
    put_cursor(page, 0, 0)
    # Edit → Go to Line… is enabled here and opens CodeMirror's line prompt.
    assert page.evaluate("() => jupyterapp.commands.isEnabled('editmenu:go-to-line')")
    page.evaluate("() => { void jupyterapp.commands.execute('editmenu:go-to-line'); }")
    prompt = page.locator(".cm-panel input[name='line']")
    prompt.wait_for()
    prompt.fill("20")
    prompt.press("Enter")
    page.wait_for_function(f"() => {EDITOR}.getCursorPosition().line === 19")
    # The command also takes a 1-based line and column.
    page.evaluate(
        "() => jupyterapp.commands.execute('sfn-notebook:go-to-line', {line: 3, column: 2})"
    )
    assert page.evaluate(f"() => {EDITOR}.getCursorPosition()") == {"line": 2, "column": 1}
    assert page.errors == []


def test_dark_theme_start_and_end_circles_read(page: Any, lab: LabServer) -> None:
    (lab.root / "circles.asl.yaml").write_text(SAMPLE)
    open_lab(page, lab, "circles.asl.yaml")
    panel = wait_ready(page, "Valid state machine")
    theme(page, "JupyterLab Dark")
    circle = panel.locator("g.node.sfn-marker ellipse").first
    fill = circle.evaluate("el => getComputedStyle(el).fill")
    label = panel.locator("g.node.sfn-marker text").first.evaluate(
        "el => getComputedStyle(el).fill"
    )
    background = page.evaluate(
        "() => getComputedStyle(document.querySelector('.sfn-GraphPanel')).backgroundColor"
    )

    def luminance(css: str) -> float:
        r, g, b = (int(v) for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3])
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255

    # A light circle with a dark label on the dark panel.
    assert luminance(fill) > 0.6, fill
    assert luminance(label) < 0.3, label
    assert luminance(background) < 0.3 or background == "rgba(0, 0, 0, 0)", background
    # The End double circle too: its filled ring is light, its outer ring drawn in light.
    end = panel.locator('g.node.sfn-marker[id="end:"] ellipse')
    fills = end.evaluate_all("els => els.map(el => getComputedStyle(el).fill)")
    strokes = end.evaluate_all("els => els.map(el => getComputedStyle(el).stroke)")
    assert any(f != "none" and luminance(f) > 0.6 for f in fills), fills
    assert all(luminance(s) > 0.6 for s in strokes), strokes
    screenshot(page, "editor-dark-theme-markers.png")
    theme(page, "JupyterLab Light")
    assert page.errors == []
