"""The workshop report: from a comparison folder's files to report.html, figures and tables.

Reads files only (``sim.analysis``); never runs the model.
"""
