"""The editors' admin: registrations and the screens added to Django's (see each module).

- registrations  ModelAdmins for series, issues (articles inline), sources, tags, redirects
- workflow       review and sign-off: the status field's choices, list actions, the queue
- history        versions of an issue, comparison, restore; deleted issues brought back
- imports        导入简报: upload, review every field beside its warnings, confirm
- curation       merging and renaming sources and tags
- pages          the admin frame of our own pages; action_page() for actions' confirmations

Imports: models, editorial, importing, search, preview and text; nothing imports it.
"""

from . import registrations  # noqa: F401  (Django's autodiscovery imports bulletins.admin)
