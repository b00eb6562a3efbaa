"""Side by side with django-helpdesk (issue 6): see bench/README.md and ``run.py``."""
