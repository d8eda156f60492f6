"""The notebook layer: live widgets and rich display (IPython magics live here too).

Nothing here is imported by the engine. ``widgets`` needs anywidget/ipywidgets and is imported
only when a widget is made; ``display`` decides between widget and static output.
"""
