"""``${Name}`` placeholders (SAM / CloudFormation / CDK ``DefinitionSubstitutions``) for editors.

A definition kept in a SAM or CDK project is not what AWS receives: at deployment CloudFormation
replaces every ``${Name}`` by the stack's ``DefinitionSubstitutions`` value (an ARN, a queue URL,
a table name). AWS itself validates the result, so :func:`sfn_notebook.validate` keeps AWS's
behaviour and rejects a raw ``Resource: ${FunctionArn}``. The editor path (the labextension's
split view) is the toolkit's view instead, as the AWS toolkits present these files:

- every string value holding a placeholder gets an ``INFO`` diagnostic naming it;
- a finding about the *content* of such a value is dropped (the value is not known until
  deployment) and its message is kept in the INFO note;
- a *type* finding stays: the substitution is textual, so a string stays a string, and
  ``TimeoutSeconds: ${Timeout}`` is still not an integer once substituted.

>>> from sfn_notebook.asl.parse import load_document
>>> from sfn_notebook.asl.validate import validate_document
>>> doc, _ = load_document('''
... StartAt: A
... States:
...   A: {Type: Task, Resource: "${FnArn}", End: true}
... ''')
>>> [(d.severity, d.code) for d in validate_document(doc)]
[('ERROR', 'SCHEMA_VALIDATION_FAILED')]
>>> [(d.severity, d.code, d.location) for d in accept_substitutions(doc, validate_document(doc))]
[('INFO', 'DEFINITION_SUBSTITUTION', '/States/A/Resource')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from sfn_notebook.asl.parse import escape_pointer
from sfn_notebook.errors import Diagnostic

#: ``${Name}`` as CloudFormation substitutes it: no braces or whitespace inside the name.
PLACEHOLDER = re.compile(r"\$\{([^{}\s]+)\}")

SUBSTITUTION = "DEFINITION_SUBSTITUTION"

#: The validator's wording for a value of the wrong JSON type; substitution cannot change that.
_TYPE_FINDING = re.compile(r"^Expected value of type\b")


def placeholders(document: Any) -> Iterator[tuple[str, list[str]]]:
    """``(pointer, names)`` for every string value in ``document`` that holds a placeholder.

    >>> list(placeholders({"A": ["x", "arn:${Partition}:${Region}"]}))
    [('/A/1', ['Partition', 'Region'])]
    """
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, str):
            names = PLACEHOLDER.findall(value)
            if names:
                yield pointer, names
        elif isinstance(value, dict):
            for key, child in reversed(list(value.items())):
                stack.append((f"{pointer}/{escape_pointer(str(key))}", child))
        elif isinstance(value, list):
            stack.extend((f"{pointer}/{n}", value[n]) for n in range(len(value) - 1, -1, -1))


def accept_substitutions(document: Any, diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """``diagnostics`` as an editor of SAM/CDK definitions shows them (see the module doc)."""
    found = dict(placeholders(document))
    if not found:
        return list(diagnostics)
    kept: list[Diagnostic] = []
    waived: dict[str, list[str]] = {}
    for d in diagnostics:
        if d.location in found and not _TYPE_FINDING.match(d.message):
            waived.setdefault(d.location, []).append(d.message)
        else:
            kept.append(d)
    for pointer, names in found.items():
        listed = ", ".join("${" + name + "}" for name in dict.fromkeys(names))
        message = (
            f"{listed}: a DefinitionSubstitutions placeholder, replaced at deployment "
            "(SAM/CloudFormation/CDK); the value is checked once substituted"
        )
        if pointer in waived:
            message += ". As written, AWS would reject it: " + " / ".join(waived[pointer])
        kept.append(Diagnostic("INFO", SUBSTITUTION, message, pointer))
    return kept
