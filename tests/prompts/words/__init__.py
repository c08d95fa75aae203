"""Tests of prompts/words/: the vocabularies."""
