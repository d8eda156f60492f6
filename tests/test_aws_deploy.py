"""Deploy, Lambda packaging, import into the store and the %sfn AWS commands, on moto's server."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

import sfn_notebook as sfn
from sfn_notebook import analysis
from sfn_notebook.aws import (
    PackagingError,
    definition_diff,
    import_executions,
    package_function,
)
from sfn_notebook.aws.package import function_uses, rewrite_resources
from sfn_notebook.errors import DefinitionError, SfnNotebookError
from sfn_notebook.notebook.cmdline import CommandError
from sfn_notebook.notebook.dispatch import execute
from sfn_notebook.notebook.session import NotebookSession, Settings
from sfn_notebook.store.sqlite import Store

pytest.importorskip("moto.server")

TAX = 0.2
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:{}"


def _cents(value):
    return round(value * 100) / 100


def price(event, context):
    total = sum(item["qty"] * item["unit"] for item in event["items"])
    return {"total": _cents(total * (1 + TAX)), "count": len(event["items"])}


def check(event, context):
    if event["total"] > 100:
        raise ValueError(json.dumps({"limit": 100}))
    return {**event, "ok": True}


ORDERS = {
    "StartAt": "Price",
    "States": {
        "Price": {"Type": "Task", "Resource": LAMBDA.format("price"), "Next": "Check"},
        "Check": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "check", "Payload.$": "$"},
            "ResultSelector": {"result.$": "$.Payload"},
            "End": True,
        },
    },
}


@pytest.fixture
def rt():
    runtime = sfn.Runtime(clock="virtual")
    runtime.function("price")(price)
    runtime.function("check")(check)
    runtime.create_state_machine(name="orders", definition=ORDERS)
    yield runtime
    runtime.close()


# Packaging, without a server --------------------------------------------------------------------


def test_package_holds_the_source_its_helpers_and_a_handler():
    package = package_function(price, "price", "orders-price")
    task = package.files["sfn_task.py"]
    assert "def price(event, context):" in task
    assert "def _cents(value):" in task
    assert "TAX = 0.2" in task
    assert package.files["sfn_handler.py"].endswith("    return _task(event, context)\n")
    with zipfile.ZipFile(io.BytesIO(package.zip_bytes)) as archive:
        assert sorted(archive.namelist()) == ["sfn_handler.py", "sfn_task.py"]
    assert package_function(price, "price", "orders-price").code_sha256 == package.code_sha256
    namespace: dict = {}
    exec(compile(task, "sfn_task.py", "exec"), namespace)  # the module runs on its own
    assert namespace["price"]({"items": [{"qty": 2, "unit": 10}]}, None) == {
        "total": 24.0,
        "count": 1,
    }


def test_package_imports_modules_the_function_uses():
    task = package_function(check, "check", "orders-check").files["sfn_task.py"]
    assert "import json" in task


def test_unpackageable_functions_are_named():
    factor = 3

    def closure(event, context):
        return event * factor

    with pytest.raises(PackagingError, match="enclosing function"):
        package_function(closure, "closure", "x")
    with pytest.raises(PackagingError, match="lambda expression"):
        package_function(lambda e, c: e, "anon", "x")
    with pytest.raises(PackagingError, match="not a valid Lambda function name"):
        package_function(price, "price", "no spaces allowed")


def test_function_uses_and_rewrite():
    functions = {"price": price, "check": check}
    uses = function_uses(ORDERS, functions)
    assert [(u.key, u.pointer) for u in uses] == [
        ("price", "/States/Price/Resource"),
        ("check", "/States/Check/Parameters/FunctionName"),
    ]
    arns = {"price": "arn:p", "check": "arn:c"}
    rewritten = rewrite_resources(ORDERS, functions, arns)
    assert rewritten["States"]["Price"]["Resource"] == "arn:p"
    assert rewritten["States"]["Check"]["Parameters"]["FunctionName"] == "arn:c"
    assert ORDERS["States"]["Price"]["Resource"] == LAMBDA.format("price")  # not modified


def test_definition_diff_ignores_key_order():
    assert definition_diff({"a": 1, "b": 2}, {"b": 2, "a": 1}) == []


# Deploying to moto's server ---------------------------------------------------------------------


def test_dry_run_plans_and_changes_nothing(aws, role, rt):
    plan = aws.deploy("orders", runtime=rt, role_arn=role, package_functions=True, dry_run=True)
    text = str(plan)
    assert text.startswith("Would deploy state machine 'orders' to us-east-1")
    assert "+ create Lambda function orders-price" in text
    assert (
        "+ create state machine arn:aws:states:us-east-1:123456789012:stateMachine:orders" in text
    )
    assert not plan.applied and plan.changed
    assert "orders" not in [m["name"] for m in aws.list_state_machines()["stateMachines"]]
    assert not aws.client_for("lambda").list_functions()["Functions"]


def test_deploy_packages_functions_and_runs_like_locally(aws, server, role, rt):
    result = aws.deploy(
        "orders", runtime=rt, role_arn=role, package_functions=True, publish=True, alias="live"
    )
    assert result.applied and result.seconds < 30
    lam = aws.client_for("lambda")
    for key in ("price", "check"):
        config = lam.get_function(FunctionName=f"orders-{key}")["Configuration"]
        package = next(p for p in result.packages if p.key == key)
        assert config["CodeSha256"] == package.code_sha256
        assert config["Handler"] == "sfn_handler.handler"
        assert result.function_arns[key] == config["FunctionArn"]
    # The zip on the server holds the function's source.
    from moto.awslambda.models import lambda_backends

    stored = lambda_backends["123456789012"]["us-east-1"].get_function("orders-price")
    with zipfile.ZipFile(io.BytesIO(stored.code_bytes)) as archive:
        assert "def price(event, context):" in archive.read("sfn_task.py").decode()
    deployed = json.loads(
        aws.describe_state_machine(stateMachineArn=result.state_machine_arn)["definition"]
    )
    assert deployed["States"]["Price"]["Resource"] == result.function_arns["price"]
    assert (
        deployed["States"]["Check"]["Parameters"]["FunctionName"] == result.function_arns["check"]
    )
    assert result.version_arn.endswith(":orders:1")
    assert result.alias_arn.endswith(":orders:live")

    order = {"items": [{"qty": 2, "unit": 10}]}
    remote = aws.run("orders", order, timeout=60)
    local = rt.start("orders", order).wait()
    assert remote.status == local.status == "SUCCEEDED"
    assert remote.output == local.output == {"result": {"total": 24.0, "count": 1, "ok": True}}
    failed = aws.run("orders", {"items": [{"qty": 20, "unit": 10}]}, timeout=60)
    assert (failed.status, failed.error) == ("FAILED", "ValueError")
    assert json.loads(failed.cause)["errorMessage"] == '{"limit": 100}'

    again = aws.deploy("orders", runtime=rt, role_arn=role, package_functions=True, dry_run=True)
    assert not again.changed
    assert "No changes." in str(again)


def test_update_shows_a_diff_and_moves_the_alias(aws, role):
    first = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    aws.deploy("updates", first, role_arn=role, publish=True, alias="live", tags={"team": "a"})
    second = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 2, "End": True}}}
    plan = aws.deploy(
        "updates", second, role_arn=role, alias="live", tags={"team": "b"}, dry_run=True
    )
    text = str(plan)
    assert '+      "Result": 2,' in text
    assert "team: a -> b" in text
    assert "~ move alias live: version 1 -> the published version" in text
    done = aws.deploy("updates", second, role_arn=role, alias="live", tags={"team": "b"})
    assert done.version_arn.endswith(":updates:2")
    alias = aws.describe_state_machine_alias(stateMachineAliasArn=done.alias_arn)
    assert alias["routingConfiguration"][0]["stateMachineVersionArn"] == done.version_arn
    tags = aws.list_tags_for_resource(resourceArn=done.state_machine_arn)["tags"]
    assert {"key": "team", "value": "b"} in tags
    assert aws.run("updates", timeout=30).output == 2


def test_deploy_refuses_what_aws_would(aws, role):
    with pytest.raises(DefinitionError):
        aws.deploy("bad", {"StartAt": "Missing", "States": {}}, role_arn=role)
    with pytest.raises(SfnNotebookError, match="role_arn="):
        aws.deploy("norole", {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    aws.deploy("typed", {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}, role_arn=role)
    with pytest.raises(SfnNotebookError, match="cannot change"):
        aws.deploy("typed", {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}, type="EXPRESS")
    plan = aws.deploy("nopackage", ORDERS, role_arn=role, functions={"price": price}, dry_run=True)
    assert any("package_functions=True" in w for w in plan.warnings)


# Importing histories into the store -------------------------------------------------------------


def test_import_executions_into_a_store(aws, role, tmp_path):
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}},
    }
    aws.deploy("imported", definition, role_arn=role)
    runs = [aws.run("imported", {"i": i}, timeout=30) for i in range(3)]
    path = tmp_path / "history.sqlite"
    report = import_executions(path, aws=aws, state_machine="imported")
    assert sorted(report.imported) == sorted(r.arn for r in runs)
    assert report.events == sum(len(r.history) for r in runs)
    with Store(path, readonly=True) as store:
        rows = store.executions()
        assert {row.status for row in rows} == {"SUCCEEDED"}
        frame = analysis.events_frame(store)
    assert len(frame) == report.events
    assert list(frame.columns) == list(analysis.events_frame(runs[0]).columns)
    again = import_executions(path, aws=aws, state_machine="imported")
    assert again.imported == [] and len(again.skipped) == 3
    with sfn.Runtime(store=path) as reopened:
        assert reopened.execution(runs[0].arn).output == {"i": 0}


# The %sfn AWS commands --------------------------------------------------------------------------


@pytest.fixture
def notebook(aws):
    from sfn_notebook.aws import use

    session = NotebookSession(Settings(store=None))
    session.function("price")(price)
    session.function("check")(check)
    session.runtime.create_state_machine(name="orders", definition=ORDERS)
    previous = use(aws)  # the connection the commands use
    yield session
    use(previous)
    session.close()


def test_sfn_commands_deploy_run_attach(notebook, role):
    line = f"deploy orders --role-arn {role} --package-functions --dry-run --tag team=x"
    plan = execute(notebook, line)
    assert plan.dry_run and "orders-price" in str(plan)
    notebook.runtime.create_state_machine(
        name="magic", definition={"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    )
    execute(notebook, f"deploy magic --role-arn {role}")
    execution = execute(notebook, "run magic --on aws --input '{\"a\": 1}' --wait 30")
    assert (execution.status, execution.output) == ("SUCCEEDED", {"a": 1})
    execution = execute(notebook, "run magic --on aws --input-var order --wait", {"order": [1]})
    assert execution.output == [1]
    attached = execute(notebook, f"attach {execution.arn}")
    assert attached is execution
    assert execute(notebook, "attach $ex", {"ex": execution}) is execution


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("deploy", "required: NAME"),
        ("deploy orders --tag team", "--tag wants KEY=VALUE"),
        ("deploy orders --lambda-env NOT_SET_ANYWHERE_42", "no such environment variable"),
        ("run magic --on aws --input {x", "unbalanced"),
        ("run magic --on aws --input [1,}", "--input: not valid JSON"),
        ("run magic --on aws --input 1 --input-var v", "exclude each other"),
        ("run magic --on aws --wait soon", "--wait takes seconds"),
        ("run magic --on aws --clock real", "--clock is for local runs"),
        ("run orders --wait 5", "--wait is for --on aws"),
        ("run magic --on mars", "invalid choice: 'mars'"),
        ("attach", "required: EXECUTION_ARN"),
        ("attach $nobody", "no variable named 'nobody'"),
        ("nope", "unknown command 'nope'"),
    ],
)
def test_sfn_aws_command_usage_errors(line, says):
    with pytest.raises(CommandError, match=re.escape(says)):
        execute(NotebookSession(Settings(store=None)), line)


# Through IPython: %sfn deploy / run --on aws / attach ---------------------------------------------


@pytest.fixture
def ip(aws, tmp_path, monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.testing.globalipapp import start_ipython

    from sfn_notebook.aws import use
    from sfn_notebook.notebook import session
    from sfn_notebook.notebook.session import NotebookSession

    monkeypatch.chdir(tmp_path)
    fresh = NotebookSession()
    monkeypatch.setattr(session, "_SESSION", fresh)
    start_ipython()
    shell = InteractiveShell.instance()
    sfn.load_ipython_extension(shell)
    shell.run_line_magic("sfn", "runtime --no-store")
    previous = use(aws)
    yield shell
    use(previous)
    shell.user_ns.pop("order", None)
    fresh.close()


def test_sfn_magics_deploy_run_and_attach_on_aws(ip, aws, role, capsys):
    from IPython.core.error import UsageError

    @sfn.function("triple")
    def triple(event, context):
        return {"n": event["n"] * 3}

    ip.run_cell_magic(
        "asl",
        "tripler --no-graph",
        json.dumps(
            {
                "StartAt": "T",
                "States": {"T": {"Type": "Task", "End": True, "Resource": LAMBDA.format("triple")}},
            }
        ),
    )
    plan = ip.run_line_magic(
        "sfn", f"deploy tripler --role-arn {role} --package-functions --dry-run"
    )
    assert "+ create Lambda function tripler-triple" in str(plan)
    ip.run_line_magic("sfn", f"deploy tripler --role-arn {role} --package-functions")
    ip.user_ns["order"] = {"n": 5}
    execution = ip.run_line_magic("sfn", "run tripler --on aws --input $order --wait 60")
    assert (execution.status, execution.output) == ("SUCCEEDED", {"n": 15})
    ip.user_ns["ex"] = execution
    assert ip.run_line_magic("sfn", "attach $ex") is execution
    ip.user_ns.pop("ex")
    ip.run_line_magic("sfn", "deploy --help")
    assert "usage: %sfn deploy [-h] [--role-arn ARN]" in capsys.readouterr().out
    with pytest.raises(UsageError, match="required: EXECUTION_ARN"):
        ip.run_line_magic("sfn", "attach")
    with pytest.raises(UsageError, match=r"Does Not Exist.*Fix:"):
        ip.run_line_magic("sfn", "run nowhere --on aws --wait")
