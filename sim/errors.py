"""The one error type users see for bad input.

A `ConfigError` carries a single line that names the bad value and what is allowed;
the CLI prints it as ``schoolsim: error: <message>`` and exits with status 2.
"""


class ConfigError(ValueError):
    """A configuration or input value the model cannot run with."""
