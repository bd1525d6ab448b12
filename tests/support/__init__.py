"""Helpers shared by the tests of every tier and by bench/: import them from here only."""
