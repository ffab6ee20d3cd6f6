"""The two baselines every page is compared with, in the same run and the same session.

- template_only: 50 rows through base.html and nothing else: no query but the session's and the
  user's. The ceiling of what a list page of this app can do.
- NaiveReferralList: what Django gives out of the box, a ListView of 50 referrals paginated with
  COUNT over the whole table. A page slower than this has a problem that is not Django's.
"""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.views.generic import ListView

from referrals.models import Referral

ROWS = 50


@login_required
def template_only(request):
    rows = [{"number": n, "pseudonym": f"B-{n:06d}", "status": "Klar", "district": "Farsta"} for n in range(ROWS)]
    return render(request, "bench/template_only.html", {"rows": rows})


class NaiveReferralList(LoginRequiredMixin, ListView):
    model = Referral
    paginate_by = ROWS
    ordering = ["-created_at"]
    template_name = "bench/naive_list.html"
