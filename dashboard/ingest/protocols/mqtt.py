"""OwnTracks in MQTT mode: `fieldops worker` subscribes when FIELDOPS_MQTT_URL is set.

Topics `owntracks/USER/DEVICE` (locations, ...) and `owntracks/USER/DEVICE/event` (transitions)
carry the same JSON as HTTP mode and go through the same handling. The broker authenticates the
phones; here the device `USER/DEVICE` must be registered (`fieldops device add --owntracks`),
or the message is logged and dropped. The subscription is shared (`$share/fieldops/...`), so
several workers split the messages instead of each storing all of them; QoS 1 with a persistent
session (client id `fieldops-<host name>`, stable across restarts) lets the broker keep messages
while a worker is down. A message is acknowledged to the broker only once it is stored or refused
for good: while it cannot be stored (the writer's backlog is full, PostgreSQL or Redis is down) the
handler waits and tries again, which stops reading from the broker, so the broker holds the messages
meanwhile; a worker stopped while one waits leaves it unacknowledged, for the session to get again.
"""

from __future__ import annotations

import logging
import socket
import threading
from urllib.parse import urlparse

import orjson
import paho.mqtt.client as mqtt

from dashboard.core.errors import POSTGRES_DOWN, REDIS_DOWN, Unavailable
from dashboard.core.runtime import Runtime
from dashboard.ingest.protocols.owntracks import handle_messages
from dashboard.ingest.trackers import DevicesUnavailable, find_device
from data.feed import StreamFull

log = logging.getLogger(__name__)

TOPICS = ("owntracks/+/+", "owntracks/+/+/event")
FULL_RETRY_S = 5
# What passes: the message waits (and the broker with it) instead of being acknowledged and dropped.
TRANSIENT = (StreamFull, Unavailable, DevicesUnavailable, *POSTGRES_DOWN, *REDIS_DOWN)


class OwnTracksSubscriber:
    def __init__(
        self,
        rt: Runtime,
        url: str,
        client_id: str | None = None,
        persistent: bool = True,
        share_group: str = "fieldops",
    ) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("mqtt", "mqtts") or not parsed.hostname:
            raise ValueError("FIELDOPS_MQTT_URL: mqtt://[user:password@]host[:port] or mqtts://...")
        self.rt = rt
        self.host, self.port = parsed.hostname, parsed.port or (8883 if parsed.scheme == "mqtts" else 1883)
        self.stop = threading.Event()
        client_id = client_id or f"fieldops-{socket.gethostname()}"
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=not persistent, manual_ack=True
        )
        if parsed.username:
            self.client.username_pw_set(parsed.username, parsed.password)
        if parsed.scheme == "mqtts":
            self.client.tls_set()
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.share = f"$share/{share_group}/"
        self.stored = 0
        self.subscribed = threading.Event()

    def start(self) -> None:
        """Connect and handle messages in paho's own thread until stop()."""
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def close(self) -> None:
        self.stop.set()
        self.client.disconnect()
        self.client.loop_stop()

    def _on_connect(
        self, client: mqtt.Client, _userdata: object, _flags: object, reason: object, _properties: object = None
    ) -> None:
        log.info("MQTT connected to %s:%s (%s)", self.host, self.port, reason)
        client.subscribe([(self.share + topic, 1) for topic in TOPICS])
        self.subscribed.set()

    def _on_message(self, client: mqtt.Client, _userdata: object, message: mqtt.MQTTMessage) -> None:
        try:
            done = self.handle(message.topic, message.payload)
        except Exception:  # one bad message must not stop the subscriber; it is logged with its topic
            log.exception("MQTT message on %s could not be handled", message.topic[:120])
            done = True  # a fault of this message's own: getting it again would fail the same way
        if done:
            client.ack(message.mid, message.qos)

    def handle(self, topic: str, payload: bytes) -> bool:
        """Store one message, waiting while it cannot be stored now. True once it is stored or refused for
        good, False when the subscriber stopped first (the message stays the broker's)."""
        while not self.stop.is_set():
            try:
                self._handle(topic, payload)
                return True
            except TRANSIENT as exc:
                log.warning("MQTT message on %s waits: %s", topic[:120], str(exc)[:200])
                self.stop.wait(FULL_RETRY_S)
        return False

    def _handle(self, topic: str, payload: bytes) -> None:
        parts = topic.split("/")
        if len(parts) not in (3, 4) or parts[0] != "owntracks" or not payload.strip():
            return
        identifier = f"{parts[1]}/{parts[2]}"
        device = find_device(self.rt, "owntracks", identifier)
        if device is None:
            log.warning("MQTT message from unknown OwnTracks device %r dropped", identifier[:64])
            return
        try:
            body = orjson.loads(payload)
        except orjson.JSONDecodeError:
            log.warning("MQTT message on %s is not JSON; dropped", topic[:120])
            return
        messages = body if isinstance(body, list) else [body]
        outcome = handle_messages(self.rt, device["employee_id"], messages, "mqtt", device["coord_system"])
        self.stored += outcome.accepted
        if outcome.rejected:
            log.warning("MQTT %s: refused %s", identifier[:64], outcome.rejected[:3])
