"""The gunicorn command line `headstart serve` runs (the server itself is started by the
remote-client and worker tests, which also show gunicorn accepts these options)."""

from __future__ import annotations

from gunicorn.config import Config

from headstart.faces.cli.commands import serve_hooks
from headstart.faces.cli.commands.serve import gunicorn_argv


def gunicorn_settings(argv: list[str]) -> Config:
    """The configuration gunicorn reads from that command line, parsed by gunicorn itself."""
    config = Config()
    parsed = config.parser().parse_args(argv[3:])
    for name, value in vars(parsed).items():
        if value is not None and name in config.settings:
            config.set(name, value)
    return config


def test_without_a_proxy_nobody_may_set_the_forwarded_headers(settings):
    settings.HEADSTART_BEHIND_PROXY = False
    config = gunicorn_settings(gunicorn_argv("127.0.0.1:8000", 2, 1))
    assert config.forwarded_allow_ips == []


def test_behind_a_proxy_only_its_addresses_may(settings):
    settings.HEADSTART_BEHIND_PROXY = True
    settings.HEADSTART_FORWARDED_ALLOW_IPS = ["10.0.0.5"]
    config = gunicorn_settings(gunicorn_argv("127.0.0.1:8000", 2, 1))
    assert config.forwarded_allow_ips == ["10.0.0.5"]


def test_no_server_opens_a_control_socket(settings):
    config = gunicorn_settings(gunicorn_argv("127.0.0.1:8000", 2, 1))
    assert config.control_socket_disable is True


def test_the_workers_fork_from_a_master_that_loaded_the_application_and_its_hooks(settings):
    config = gunicorn_settings(gunicorn_argv("127.0.0.1:8000", 2, 1))
    assert config.preload_app is True
    assert config.config == "python:headstart.faces.cli.commands.serve_hooks"
    hooks = Config()
    hooks.set("when_ready", serve_hooks.when_ready)  # gunicorn accepts it as its hook, one argument
    assert hooks.when_ready is serve_hooks.when_ready

