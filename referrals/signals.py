"""Events of the referral lifecycle that the apps above this one react to (they connect in their
receivers.py). Sent inside the service's transaction, so a receiver's writes commit or roll back
with the change that caused them."""

import django.dispatch

# A referral was withdrawn (by the district, or because consent was withdrawn): the child must not
# keep a place in a group. Arguments: referral, by, reason.
referral_withdrawn = django.dispatch.Signal()
