"""The one place the version is kept: read by the package metadata, the CLI, the cache and the reports."""

__version__ = "0.1.0"
