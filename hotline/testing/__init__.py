"""Factories and fixtures shared by the tests of every app."""
