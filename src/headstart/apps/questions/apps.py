from django.apps import AppConfig


class QuestionsConfig(AppConfig):
    name = "headstart.apps.questions"
    label = "questions"
    default_auto_field = "django.db.models.BigAutoField"
