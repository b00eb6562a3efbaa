"""Settings: ``base`` is shared, ``dev`` is the default, ``test`` for pytest, ``production`` for deploys."""
