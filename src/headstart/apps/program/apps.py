from django.apps import AppConfig


class ProgramConfig(AppConfig):
    name = "headstart.apps.program"
    label = "program"
    verbose_name = "Program"
