"""Development only: local servers of our own, for the local stack and for tests that kill servers.

No service depends on this package and no image ships it. Each server has its own port and its
own folder, so killing it never touches the servers other tests or people use; everything is
stopped by the pid we recorded when we started it.

Modules: ``processes`` (ports, pids, starting a program in its own session), ``node`` (what every
server shares), ``rabbit`` (a RabbitMQ node), ``postgres`` (a PostgreSQL cluster, with
``gin_mirror``), ``ferret`` (FerretDB on PostgreSQL or SQLite), ``redis`` (a Redis server for
feed's timelines), ``mailpit`` (the mail catcher notifier sends to), ``prometheus`` (a
Prometheus scraping the services, ``make observe``), ``sandbox_page`` (Jumo's own Page in a
Facebook sandbox, for notifier).
"""

from jumo_devstack.ferret import (
    BACKEND_ENV,
    BACKENDS,
    Backend,
    FerretNode,
    backend_setting,
    ferretdb_binary,
    mongo_ping,
)
from jumo_devstack.mailpit import (
    MAILPIT_FLAGS,
    MailpitNode,
    mailpit_answers,
    mailpit_binary,
    mailpit_messages,
)
from jumo_devstack.node import Node
from jumo_devstack.postgres import PostgresCluster, pg_bin, pg_ready, postgres_owner
from jumo_devstack.processes import (
    blocker,
    free_port,
    free_ports,
    kill_group,
    pid_alive,
    pid_cmdline,
    port_answers,
    read_pid,
    repo_root,
    scratch_dir,
    service_owner,
    spawn_logged,
    terminate_pid,
    wait_for,
)
from jumo_devstack.prometheus import (
    PrometheusNode,
    prometheus_answers,
    prometheus_binary,
    prometheus_query,
    promtool,
    promtool_binary,
    rules_file,
    scrape_config,
)
from jumo_devstack.rabbit import RABBIT_HOME, RabbitNode, epmd_names, rabbit_blocker, rabbit_owner
from jumo_devstack.redis import (
    REDIS_SETTINGS,
    RedisError,
    RedisNode,
    redis_answers,
    redis_command,
    redis_config,
    redis_ping,
    redis_server_binary,
)
from jumo_devstack.sandbox_page import (
    PAGE_PERMISSIONS,
    SandboxPage,
    SandboxPageError,
    appsecret_proof,
    provision_page,
)

__all__ = [
    "BACKENDS",
    "BACKEND_ENV",
    "MAILPIT_FLAGS",
    "PAGE_PERMISSIONS",
    "RABBIT_HOME",
    "REDIS_SETTINGS",
    "Backend",
    "FerretNode",
    "MailpitNode",
    "Node",
    "PostgresCluster",
    "PrometheusNode",
    "RabbitNode",
    "RedisError",
    "RedisNode",
    "SandboxPage",
    "SandboxPageError",
    "appsecret_proof",
    "backend_setting",
    "blocker",
    "epmd_names",
    "ferretdb_binary",
    "free_port",
    "free_ports",
    "kill_group",
    "mailpit_answers",
    "mailpit_binary",
    "mailpit_messages",
    "mongo_ping",
    "pg_bin",
    "pg_ready",
    "pid_alive",
    "pid_cmdline",
    "port_answers",
    "postgres_owner",
    "prometheus_answers",
    "prometheus_binary",
    "prometheus_query",
    "promtool",
    "promtool_binary",
    "provision_page",
    "rabbit_blocker",
    "rabbit_owner",
    "read_pid",
    "redis_answers",
    "redis_command",
    "redis_config",
    "redis_ping",
    "redis_server_binary",
    "repo_root",
    "rules_file",
    "scrape_config",
    "scratch_dir",
    "service_owner",
    "spawn_logged",
    "terminate_pid",
    "wait_for",
]
