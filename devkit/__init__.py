"""Development tooling: the local runtime, the OpenAPI builder, template helpers.

Never deployed; the functions and the shared layer do not import it.
"""
