from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from partnership import views as partnership_views
from partnership.ratelimits import login_rate_limit

urlpatterns = [
    path("", partnership_views.home, name="home"),
    path("healthz", partnership_views.healthz, name="healthz"),
    path(
        "konto/logga-in/",
        login_rate_limit(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("konto/losenord/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("konto/losenord/klart/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "konto/valj-losenord/<uidb64>/<token>/",
        partnership_views.PasswordChooseView.as_view(),
        name="password_choose",
    ),
    path("konto/tvafaktor/", partnership_views.two_factor_verify, name="two_factor_verify"),
    path("konto/tvafaktor/ny/", partnership_views.two_factor_setup, name="two_factor_setup"),
    path("paminnelser/", partnership_views.reminder_list, name="reminders"),
    path("paminnelser/<uuid:public_id>/klar/", partnership_views.reminder_done, name="reminder_done"),
    path("anmalningar/", include("referrals.urls")),
    path("", include("consent.urls")),
    path("grupper/", include("groups.urls")),
    path("ekonomi/", include("finance.urls")),
    path("uppfoljning/", include("followup.urls")),
    path("", include("coordination.urls")),
    path("staden/", include("citywide.urls")),
    path("sammansattning/", include("composition.urls")),
    path("metoder/", include("composition.method_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "partnership.errors.bad_request"
handler403 = "partnership.errors.permission_denied"
handler404 = "partnership.errors.page_not_found"
handler500 = "partnership.errors.server_error"
