"""Curriculum planning: competency-to-role paths, gap analysis, training recommendations."""
