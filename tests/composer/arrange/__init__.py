"""Tests of composer/arrange/: the arranger and phrasing."""
