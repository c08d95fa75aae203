"""Tests of composer/remix/: remixes."""
