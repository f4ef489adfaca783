from django.urls import path

from headstart.faces.portal import (
    auth_urls,
    copy_views,
    invitation_views,
    question_views,
    readiness_views,
    staff_advisory_views,
    staff_audit_views,
    staff_dashboard_views,
    staff_investigation_views,
    staff_partner_views,
    staff_program_views,
    team_views,
    token_views,
    views,
)

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    # The same views as auth_urls' account_login and account_logout (allauth's, with its MFA stage).
    path("login/", auth_urls.login, name="login"),
    path("logout/", auth_urls.account.logout, name="logout"),
    path("nda/", views.nda, name="nda"),
    path("advisories/<str:ident>/", views.advisory, name="advisory"),
    path("advisories/<str:ident>/package", views.package, name="package"),
    # A partner reads its marked copy of a text file; questions to the PSIRT and staff's answers.
    path("advisories/<str:ident>/copies/<str:name>", copy_views.copy, name="copy"),
    path("advisories/<str:ident>/questions/", question_views.thread, name="questions"),
    path("staff/questions/", question_views.waiting, name="staff-questions"),
    # Readiness: a partner tests its rules or confirms it is ready; staff see coverage.
    path("advisories/<str:ident>/readiness/", readiness_views.submit_rules, name="readiness-submit"),
    path("advisories/<str:ident>/readiness/ready", readiness_views.confirm_ready, name="readiness-confirm"),
    path("staff/coverage/", readiness_views.coverage, name="coverage"),
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
    # Staff: the audit log, investigations and partners (404 for anyone else).
    path("staff/audit/", staff_audit_views.audit_log, name="staff-audit"),
    path("staff/audit/verify", staff_audit_views.verify_chain, name="staff-audit-verify"),
    path("staff/investigations/", staff_investigation_views.investigations, name="staff-investigations"),
    path("staff/investigations/<str:ref>/", staff_investigation_views.investigation, name="staff-investigation"),
    path("staff/investigations/<str:ref>/report", staff_investigation_views.report, name="staff-investigation-report"),
    path("staff/investigations/<str:ref>/plot.svg", staff_investigation_views.plot, name="staff-investigation-plot"),
    path("staff/investigations/<str:ref>/expel", staff_investigation_views.expel, name="staff-investigation-expel"),
    # Staff: advisories (create with files, check, schedule, prepare, withdraw, replace a file).
    path("staff/advisories/", staff_advisory_views.advisories, name="staff-advisories"),
    path("staff/advisories/new", staff_advisory_views.new, name="staff-advisory-new"),
    path("staff/advisories/<str:ident>/", staff_advisory_views.advisory, name="staff-advisory"),
    path("staff/advisories/<str:ident>/check", staff_advisory_views.check, name="staff-advisory-check"),
    path("staff/advisories/<str:ident>/schedule", staff_advisory_views.schedule_view, name="staff-advisory-schedule"),
    path("staff/advisories/<str:ident>/prepare", staff_advisory_views.prepare, name="staff-advisory-prepare"),
    path("staff/advisories/<str:ident>/withdraw", staff_advisory_views.withdraw, name="staff-advisory-withdraw"),
    path("staff/advisories/<str:ident>/replace", staff_advisory_views.replace, name="staff-advisory-replace"),
    path("staff/advisories/<str:ident>/allow-unmarked", staff_advisory_views.unmarked, name="staff-advisory-unmarked"),
    path("staff/partners/", staff_partner_views.partners, name="staff-partners"),
    path("staff/partners/add", staff_partner_views.add, name="staff-partner-add"),
    path("staff/partners/import", staff_partner_views.import_csv, name="staff-partner-import"),
    path("staff/partners/<int:partner_id>/", staff_partner_views.partner, name="staff-partner"),
    path("staff/partners/<int:partner_id>/status", staff_partner_views.change_status, name="staff-partner-status"),
    # Staff: the dashboard and the program's settings (tiers, NDA versions, accounts).
    path("staff/", staff_dashboard_views.dashboard, name="staff-dashboard"),
    path("staff/tiers/", staff_program_views.tiers, name="staff-tiers"),
    path("staff/tiers/edit", staff_program_views.edit_tier, name="staff-tier-edit"),
    path("staff/nda/", staff_program_views.nda_versions, name="staff-nda"),
    path("staff/nda/publish", staff_program_views.publish, name="staff-nda-publish"),
    path("staff/users/", staff_program_views.users, name="staff-users"),
    path("staff/users/change", staff_program_views.change_user, name="staff-user-change"),
]
