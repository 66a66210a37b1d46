"""Transports: RabbitMQ (``adapters.transports.rabbitmq``, pika) and the local durable transport in the
gateway's own database (``adapters.transports.local``). Both implement :class:`gateway.transport.Transport`.

Nothing is imported here, so choosing the local transport never imports pika.
"""

__all__: list[str] = []
