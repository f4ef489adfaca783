from django.contrib.auth import views as auth_views
from django.urls import path

from headstart.faces.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="portal/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="/login/"), name="logout"),
    path("nda/", views.nda, name="nda"),
    path("advisories/<str:ident>/", views.advisory, name="advisory"),
    path("advisories/<str:ident>/package", views.package, name="package"),
]
