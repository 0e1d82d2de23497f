"""Tests of the deployment's housekeeping."""
