"""The one SVG sanitizer of the Python side: Graphviz output rebuilt from an allowlist.

Graphviz copies some DOT attributes (``fontname``, ``stylesheet``) into its SVG unescaped, and
the SVG goes into ``text/html`` and ``image/svg+xml`` outputs and the widgets. So the text is
parsed as XML and only SVG elements Graphviz draws with and presentation attributes survive;
links may only point at ``#ids`` of the document, ``url()`` only as ``url(#id)``; ``<style>``,
``<script>``, ``<foreignObject>``, ``<image>``, ``<use>``, event handlers, comments and
processing instructions go. The lists are the browser's (``labextension/src/svgsafe.ts``, shared
by the JupyterLab extension and the widgets): a test compares them and both sides run the cases
of ``tests/fixtures/svg_sanitize.json``.

>>> sanitize_svg('<svg xmlns="http://www.w3.org/2000/svg"><g onclick="x()"><script>y()</script>'
...              '<text>A</text></g></svg>')
'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><g><text>A</text></g></svg>'
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

#: Elements kept (SVG namespace only); anything else is removed with its content.
SVG_ELEMENTS = frozenset({
    "svg", "g", "title", "desc", "a", "path", "polygon", "polyline", "ellipse", "circle", "rect",
    "line", "text", "tspan", "defs", "linearGradient", "radialGradient", "stop", "clipPath",
})  # fmt: skip

#: Attributes kept (``xlink:`` and ``xml:`` spell their namespace); the rest are removed.
SVG_ATTRIBUTES = frozenset({
    "id", "class", "width", "height", "viewBox", "preserveAspectRatio", "transform",
    "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "d", "points",
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-dasharray",
    "stroke-opacity", "stroke-linecap", "stroke-linejoin", "opacity", "clip-path",
    "text-anchor", "font-family", "font-size", "font-weight", "font-style", "text-decoration",
    "baseline-shift", "offset", "stop-color", "stop-opacity", "gradientUnits",
    "gradientTransform", "style", "href", "xlink:href", "xlink:title", "xml:space",
})  # fmt: skip

_LOCAL_REF = re.compile(r"#[^\s()'\"<>\\]+")
_URL_CALL = re.compile(r"url\s*\(", re.IGNORECASE)
_LOCAL_URL = re.compile(r"url\(#[^\s()'\"<>\\]+\)", re.IGNORECASE)
# Inline CSS: plain declarations only (no functions, escapes, at-rules, comments or URLs).
_SAFE_STYLE = re.compile(r"[A-Za-z0-9\s:;#.,%'\"_-]*")
_TEXT_ATTRIBUTES = frozenset({"id", "class", "xlink:title"})
_PREFIXES = {XLINK_NS: "xlink", XML_NS: "xml"}


class SvgError(ValueError):
    """The text is not an SVG document."""


def _qualified(name: str) -> str | None:
    """``{ns}local`` → the allowlist spelling (``xlink:title``), None for a foreign namespace."""
    if not name.startswith("{"):
        return name
    namespace, _, local = name[1:].partition("}")
    prefix = _PREFIXES.get(namespace)
    return f"{prefix}:{local}" if prefix else None


def safe_attribute(name: str, value: str) -> bool:
    """Whether an attribute may stay; ``name`` is the allowlist spelling.

    >>> safe_attribute("fill", "url(#g1)"), safe_attribute("fill", "url(http://x)")
    (True, False)
    """
    if name not in SVG_ATTRIBUTES:
        return False
    if name in _TEXT_ATTRIBUTES:
        return True
    trimmed = value.strip()
    if name in ("href", "xlink:href"):
        return _LOCAL_REF.fullmatch(trimmed) is not None
    if name == "xml:space":
        return trimmed in ("preserve", "default")
    if name == "style":
        return _SAFE_STYLE.fullmatch(value) is not None
    # Presentation attributes are parsed as CSS: a backslash could spell `url(` in escapes.
    if "\\" in value:
        return False
    return _URL_CALL.search(value) is None or _LOCAL_URL.fullmatch(trimmed) is not None


def _clean(element: ET.Element) -> None:
    for key in list(element.attrib):
        name = _qualified(key)
        if name is None or not safe_attribute(name, element.attrib[key]):
            del element.attrib[key]
    previous: ET.Element | None = None
    for child in list(element):
        tag = child.tag if isinstance(child.tag, str) else ""  # comments/PIs have callables
        if tag.startswith(f"{{{SVG_NS}}}") and tag[len(SVG_NS) + 2 :] in SVG_ELEMENTS:
            _clean(child)
            previous = child
            continue
        # Removing an element keeps the text that followed it, as the DOM does.
        if child.tail:
            if previous is not None:
                previous.tail = (previous.tail or "") + child.tail
            else:
                element.text = (element.text or "") + child.tail
        element.remove(child)


def parse_safe_svg(text: str) -> ET.Element:
    """The sanitized ``<svg>`` element of SVG text. Anything before ``<svg`` (Graphviz's XML
    declaration, DOCTYPE, ``<?xml-stylesheet?>``) is dropped before parsing.

    >>> parse_safe_svg('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>').tag
    '{http://www.w3.org/2000/svg}svg'
    """
    # Parsing from the root on also means no DOCTYPE, so no entity can be declared (or expanded).
    start = re.search(r"<svg[\s>]", text)
    if start is None:
        raise SvgError("no <svg> element in the text")
    try:
        root = ET.fromstring(text[start.start() :])
    except ET.ParseError as exc:
        raise SvgError(f"not well-formed SVG: {exc}") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise SvgError("the root element is not an SVG <svg>")
    _clean(root)
    return root


def sanitize_svg(text: str) -> str:
    """SVG text rebuilt from the allowlist (see the module docstring), starting at ``<svg``."""
    root = parse_safe_svg(text)
    # Write the namespaces out by hand: ElementTree would invent ``ns0:`` prefixes unless they
    # were registered globally, for every user of ElementTree in the process.
    for element in root.iter():
        element.tag = str(element.tag).rpartition("}")[2]
        if any(key.startswith("{") for key in element.attrib):
            element.attrib = {_qualified(k) or k: v for k, v in element.attrib.items()}
    root.attrib = {"xmlns": SVG_NS, "xmlns:xlink": XLINK_NS, **root.attrib}
    return ET.tostring(root, encoding="unicode")


def svg_tree(element: ET.Element) -> list[Any]:
    """``[name, attributes, *children]`` with blank text dropped: what the parity tests compare
    (``svgTree`` in svgsafe.ts)."""
    attrs = {}
    for key, value in element.attrib.items():
        name = _qualified(key)
        if name is not None:
            attrs[name] = value
    tree: list[Any] = [str(element.tag).rpartition("}")[2], attrs]
    if element.text and element.text.strip():
        tree.append(element.text.strip())
    for child in element:
        tree.append(svg_tree(child))
        if child.tail and child.tail.strip():
            tree.append(child.tail.strip())
    return tree
