"""Notebook widgets for kernelkit: live training curves, the model builder, migration hints.

A placeholder for now; the widgets arrive later. They will be imported lazily, on first use, so that
`import kernelkit` stays fast and never requires ipywidgets, bokeh or a running notebook.
"""
