"""Importing planners' data (spreadsheets) into the graph through the SHACL gate."""
