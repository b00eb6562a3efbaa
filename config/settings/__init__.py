"""Settings: ``base`` is shared; ``dev`` (the default), ``test`` and ``production`` build on it."""
