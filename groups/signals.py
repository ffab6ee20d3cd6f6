"""Events of group planning that the apps above this one react to (they connect in their
receivers.py)."""

import django.dispatch

# A group was closed; sent once the transaction has committed. Arguments: group_id.
group_closed = django.dispatch.Signal()

# A child got a place in a group; sent inside the placing transaction, so what a receiver writes
# (finance records the fee for a child from another municipality) commits with the place or not
# at all. Arguments: placement, placed_by.
child_placed = django.dispatch.Signal()
