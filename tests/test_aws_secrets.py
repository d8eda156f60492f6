"""Secrets stay out of Lambda packages: env-derived globals and credential-like constants are
refused, and Lambda environment variables carry them instead (deploy on moto's server)."""

from __future__ import annotations

import importlib
import io
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest

from sfn_notebook.aws import PackagingError, package_function

LOCAL_KEY = "local-Zq8vN2xK7pL4mR9tW3yB6cF1hJ5"
LAMBDA_KEY = "lambda-side-value-0042"

SERVICE = """
import os
from os import getenv

API_KEY = os.environ["API_KEY"]
REGION = getenv("SERVICE_REGION", "eu-west-1")
ENDPOINT = "https://api.example.com/v1"


def fetch(event, context):
    return {"key": API_KEY, "endpoint": ENDPOINT}


def where(event, context):
    return REGION
"""


def _module(tmp_path: Path, name: str, source: str) -> Any:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    sys.path.insert(0, str(tmp_path))
    try:
        sys.modules.pop(name, None)
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("API_KEY", LOCAL_KEY)
    monkeypatch.setenv("SERVICE_REGION", "us-west-2")
    return _module(tmp_path, "secret_service", SERVICE)


def _zip_text(package: Any) -> str:
    with zipfile.ZipFile(io.BytesIO(package.zip_bytes)) as archive:
        return "".join(archive.read(name).decode() for name in archive.namelist())


def test_a_global_read_from_the_environment_is_refused_by_name(service: Any) -> None:
    with pytest.raises(PackagingError) as raised:
        package_function(service.fetch, "fetch", "svc-fetch")
    message = str(raised.value)
    assert "'fetch'" in message and "'API_KEY'" in message
    assert "os.environ['API_KEY']" in message and "lambda_environment=" in message
    assert LOCAL_KEY not in message
    with pytest.raises(PackagingError, match=r"'REGION'.*SERVICE_REGION"):
        package_function(service.where, "where", "svc-where")


def test_with_the_environment_the_package_reads_it_at_run_time(service: Any) -> None:
    package = package_function(
        service.fetch, "fetch", "svc-fetch", environment={"API_KEY": "anything"}
    )
    text = package.files["sfn_task.py"]
    assert "API_KEY = os.environ['API_KEY']" in text and "import os" in text
    assert "ENDPOINT = 'https://api.example.com/v1'" in text
    assert LOCAL_KEY not in _zip_text(package)
    where = package_function(
        service.where, "where", "svc-where", environment={"SERVICE_REGION": "x"}
    )
    assert "REGION = getenv('SERVICE_REGION', 'eu-west-1')" in where.files["sfn_task.py"]
    assert "from os import getenv" in where.files["sfn_task.py"]


def test_secrets_allow_copies_the_value_with_a_warning(service: Any) -> None:
    package = package_function(service.fetch, "fetch", "svc-fetch", secrets="allow")
    assert LOCAL_KEY in _zip_text(package)
    assert any("API_KEY" in warning for warning in package.warnings)
    with pytest.raises(PackagingError, match="'refuse' or 'allow'"):
        package_function(service.fetch, "fetch", "svc-fetch", secrets="yes")


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("AKIAIOSFODNN7EXAMPLE", "an AWS access key id"),
        ("ASIAY34FZKBOKMUTVV7A", "an AWS access key id"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA=\n", "a private key"),
        ("ghp_16C7e42F292c6912E7710c838347Ae178B4a", "a GitHub token"),
        ("xoxb-2048-4096-abcdefGHIJKLmnop", "a Slack token"),
        ("sk-proj-4f9Qx7Lm2Vb8Nc3Zr6Tw1Yk5", "an API secret key"),
        ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "a long random token"),
    ],
)
def test_literals_that_look_like_credentials_are_refused(
    tmp_path: Path, value: str, kind: str
) -> None:
    module = _module(
        tmp_path,
        f"literal_{abs(hash(value))}",
        f"""
        SETTINGS = {{"name": "svc", "credential": {value!r}}}


        def handler(event, context):
            return SETTINGS["name"]
        """,
    )
    with pytest.raises(PackagingError, match=f"'SETTINGS'.*{kind}"):
        package_function(module.handler, "handler", "lit-handler")


def test_ordinary_constants_are_not_mistaken_for_secrets(tmp_path: Path) -> None:
    module = _module(
        tmp_path,
        "plain_constants",
        """
        DIGEST = "d41d8cd98f00b204e9800998ecf8427e"
        ID = "123e4567-e89b-12d3-a456-426614174000"
        URL = "https://example.com/some/long/path/to/a/resource/index.html"
        TEXT = "a sentence with spaces that is long enough to be a token otherwise"


        def handler(event, context):
            return [DIGEST, ID, URL, TEXT]
        """,
    )
    package = package_function(module.handler, "handler", "plain-handler")
    assert "DIGEST = 'd41d8cd98f00b204e9800998ecf8427e'" in package.files["sfn_task.py"]


# Deploying to moto's server ---------------------------------------------------------------------


def test_deploy_refuses_then_deploys_with_lambda_environment(
    aws: Any, role: Any, service: Any
) -> None:
    definition = {
        "StartAt": "Fetch",
        "States": {
            "Fetch": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "fetch", "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "End": True,
            }
        },
    }
    functions = {"fetch": service.fetch}
    with pytest.raises(PackagingError, match=r"'fetch'.*'API_KEY'"):
        aws.deploy(
            "secrets", definition, role_arn=role, functions=functions, package_functions=True
        )
    lam = aws.client_for("lambda")
    assert "secrets-fetch" not in [f["FunctionName"] for f in lam.list_functions()["Functions"]]

    plan = aws.deploy(
        "secrets",
        definition,
        role_arn=role,
        functions=functions,
        package_functions=True,
        lambda_environment={"API_KEY": LAMBDA_KEY},
        dry_run=True,
    )
    assert "environment: API_KEY" in str(plan) and LAMBDA_KEY not in str(plan)
    result = aws.deploy(
        "secrets",
        definition,
        role_arn=role,
        functions=functions,
        package_functions=True,
        lambda_environment={"API_KEY": LAMBDA_KEY},
    )
    config = lam.get_function(FunctionName="secrets-fetch")["Configuration"]
    assert config["Environment"]["Variables"] == {"API_KEY": LAMBDA_KEY}
    from moto.awslambda.models import lambda_backends

    stored = lambda_backends["123456789012"]["us-east-1"].get_function("secrets-fetch")
    with zipfile.ZipFile(io.BytesIO(stored.code_bytes)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    assert all(LOCAL_KEY.encode() not in data for data in files.values())
    assert b"os.environ['API_KEY']" in files["sfn_task.py"]
    # On Lambda the value comes from the function's environment, at run time.
    run = aws.run("secrets", {}, timeout=60)
    assert run.status == "SUCCEEDED", run.cause
    assert run.output["key"] == LAMBDA_KEY
    assert result.applied
    # A local run calling the deployed function with LogType Tail gets Lambda's LogResult.
    import base64

    import boto3

    import sfn_notebook as sfn

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    tail = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "secrets-fetch", "LogType": "Tail"},
                "End": True,
            }
        },
    }
    remote = sfn.run(tail, {}, boto3_session=session, aws_endpoint_url=aws.endpoint_url)
    assert remote.status == "SUCCEEDED", remote.cause
    assert remote.output["Payload"]["key"] == LAMBDA_KEY
    base64.b64decode(remote.output["LogResult"], validate=True)
    assert list(remote.output)[:3] == ["ExecutedVersion", "LogResult", "Payload"]

    # A changed variable is planned by name only.
    again = aws.deploy(
        "secrets",
        definition,
        role_arn=role,
        functions=functions,
        package_functions=True,
        lambda_environment={"API_KEY": "rotated-value"},
        dry_run=True,
    )
    assert "Environment: API_KEY (values not shown)" in str(again)
    assert "rotated-value" not in str(again)


def test_the_deploy_magic_forwards_an_environment_variable_by_name(
    aws: Any, role: Any, service: Any
) -> None:
    from sfn_notebook.aws import use
    from sfn_notebook.notebook.dispatch import execute
    from sfn_notebook.notebook.session import NotebookSession, Settings

    notebook = NotebookSession(Settings(store=None))
    notebook.function("fetch")(service.fetch)
    notebook.runtime.create_state_machine(
        name="forwarded",
        definition={
            "StartAt": "F",
            "States": {
                "F": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:fetch",
                    "End": True,
                }
            },
        },
    )
    line = f"deploy forwarded --role-arn {role} --package-functions --dry-run"
    previous = use(aws)
    try:
        with pytest.raises(PackagingError, match="API_KEY"):
            execute(notebook, line)
        plan = execute(notebook, f"{line} --lambda-env API_KEY")
        assert "environment: API_KEY" in str(plan) and LOCAL_KEY not in str(plan)
        warnings = execute(notebook, f"{line} --secrets allow").warnings
        assert "secrets='allow'" in "".join(warnings)
    finally:
        use(previous)
        notebook.close()
