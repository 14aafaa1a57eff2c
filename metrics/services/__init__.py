"""The metrics engine (``engine``) and the runs that schedule it (``runs``)."""
