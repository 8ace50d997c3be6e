"""How the site is served: middleware (CSP, NUL bytes, database outages), the outage page
and /healthz. Imports nothing of the project but itself.
"""
