"""Gunicorn's settings for the web processes (`gunicorn -c config/gunicorn.py config.wsgi:application`).

Only what the command line does not say: the address and the number of workers stay there.
"""

import gc


def post_worker_init(worker):
    """Move what the worker has loaded (Django, the apps, their modules and classes: hundreds of
    thousands of objects that live as long as the process) out of the garbage collector's reach.
    Python's oldest generation otherwise walks all of them now and then, in the middle of a
    request: about 100 ms each time, the slowest one in a hundred requests (make bench's p99).
    Garbage made by requests is collected as before."""
    gc.freeze()
