"""One transport per delivery channel, each behind the interface in ``base``."""
