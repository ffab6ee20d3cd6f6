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

# The nightly purge sweep ran (referrals.tasks.purge_due_sweep): the apps above purge what they
# keep about people on the same schedule (the coordination's lapsed public interests, a closed
# group's parents). Sent with send_robust, so one app's failure stops neither the sweep nor the
# others; each receiver runs its own transaction. Arguments: on (the day).
purge_sweep_ran = django.dispatch.Signal()
