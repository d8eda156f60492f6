"""Expressions: JSONPath, payload templates, intrinsic functions, Choice rules and JSONata.

Everything here is compiled once, when a definition is loaded, into objects whose evaluation
never parses again. Nothing here imports the engine, IPython, pandas or graphviz.
"""
