"""``manage.py`` of the peer: ``var/peer-venv/bin/python bench/helpdesk/peer_project/manage.py``
with ``PEER_DATABASE`` naming the database."""

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_project.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
