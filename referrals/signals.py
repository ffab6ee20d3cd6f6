"""Events of the referral lifecycle that the apps above this one react to (they connect in their
receivers.py). Sent inside the service's transaction, so a receiver's writes commit or roll back
with the change that caused them."""

import django.dispatch

# A referral was withdrawn (by the district, or because consent was withdrawn): the child must not
# keep a place in a group. Arguments: referral, by, reason.
referral_withdrawn = django.dispatch.Signal()

# A referral went back to awaiting consent (a custodian was added who has not consented): Bris
# loses sight of the child again, and a placed child must not keep the place. Arguments:
# referral, by, reason.
referral_gate_closed = django.dispatch.Signal()
