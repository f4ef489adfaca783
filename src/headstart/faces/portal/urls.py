from django.contrib.auth import views as auth_views
from django.urls import path

from headstart.faces.portal import invitation_views, team_views, token_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="portal/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="/login/"), name="logout"),
    path("nda/", views.nda, name="nda"),
    path("advisories/<str:ident>/", views.advisory, name="advisory"),
    path("advisories/<str:ident>/package", views.package, name="package"),
    # People: the team, invitations (the link's page is for anyone holding it), certificate, tokens.
    path("team/", team_views.team_page, name="team"),
    path("team/invite/", invitation_views.invite, name="invite"),
    path("team/users/<int:user_id>/role", team_views.change_role, name="team-role"),
    path("team/users/<int:user_id>/remove", team_views.remove_user, name="team-remove"),
    path("team/invitations/<int:invitation_id>/revoke", team_views.revoke_invitation, name="invitation-revoke"),
    path("team/certificate/", team_views.certificate, name="certificate"),
    path("tokens/", token_views.tokens_page, name="tokens"),
    path("tokens/<int:token_id>/revoke", token_views.revoke, name="token-revoke"),
    path("invitations/<str:token>/", invitation_views.accept, name="invitation"),
]
