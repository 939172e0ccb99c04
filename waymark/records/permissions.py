"""Who may place legal holds and answer subject access requests.

Both are manager work. Roles grant permissions in `waymark.accounts.roles`; until that module
grants dedicated ones (proposed: `records.manage_legalhold`, `records.export_subject_access`), both
use the manager's permission to read a young person's access log, which a subject access export
contains anyway. Managers and panel chairs hold it.
"""

LEGAL_HOLD_PERMISSION = "people.view_accesslog_youngperson"
SUBJECT_ACCESS_PERMISSION = "people.view_accesslog_youngperson"
