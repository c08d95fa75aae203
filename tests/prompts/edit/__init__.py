"""Tests of prompts/edit/: the remix edit language."""
