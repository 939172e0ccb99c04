"""What concerns tell the apps above them, without knowing who listens.

`association_recorded` is sent inside the transaction that records or strengthens a link, after
its audit event. Early warnings (`waymark.contexts`) listen for it, so a link towards a group at
high risk raises its alert in the same transaction, whichever surface recorded the link.
"""

from django.dispatch import Signal

# Sent with `association`: the Association as saved.
association_recorded = Signal()
