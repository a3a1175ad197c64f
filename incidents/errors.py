"""Domain errors shared by services, views and the API."""


class Conflict(Exception):
    """The action is not possible in the incident's (or notice's) current state."""
