"""Gunicorn settings for KAM: `gunicorn -c deploy/gunicorn.conf.py kam.wsgi`.

Logs go to stdout in the project's one format (kam/logfmt.py: logfmt, UTC with offset); the
request lines come from Django (kam.request), so gunicorn's own access log is off.
"""

import os

from kam.logfmt import logging_config

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # the TLS proxy in front connects here
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = None
errorlog = "-"
logconfig_dict = logging_config(level=os.environ.get("LOG_LEVEL", "INFO"))
# The proxy on this machine sets X-Forwarded-Proto; Django trusts it via SECURE_PROXY_SSL=1.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
