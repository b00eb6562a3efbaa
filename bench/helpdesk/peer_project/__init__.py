"""A minimal Django project that runs django-helpdesk for the side-by-side benchmark.

It is installed into its own virtualenv (``var/peer-venv``, see ``bench/helpdesk/run.py``), never
into the project's; nothing of the hotline platform imports it.
"""
