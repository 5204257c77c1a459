"""OwnTracks MQTT mode against the machine's Mosquitto (127.0.0.1:1883)."""

import socket
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import orjson
import paho.mqtt.client as mqtt
import pytest

from dashboard.core.runtime import Runtime
from dashboard.ingest.protocols.mqtt import OwnTracksSubscriber
from data import activities, devices, employees
from tests.conftest import track_around_the_clock
from tests.replay import drain

BROKER = ("127.0.0.1", 1883)


def _broker_answers() -> bool:
    try:
        with socket.create_connection(BROKER, timeout=1):
            return True
    except OSError:
        return False


needs_broker = pytest.mark.skipif(
    not _broker_answers(),
    reason="no MQTT broker answers at 127.0.0.1:1883 (the machine's Mosquitto service is not ours to start)",
)


def _subscriber(rt: Runtime) -> OwnTracksSubscriber:
    return OwnTracksSubscriber(
        rt,
        "mqtt://127.0.0.1:1883",
        client_id=f"fieldops-test-{uuid.uuid4().hex[:8]}",
        persistent=False,  # leave no session behind on the machine's broker
        share_group=f"fieldops-test-{uuid.uuid4().hex[:8]}",
    )


def _publisher() -> mqtt.Client:
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    publisher.connect(*BROKER)
    publisher.loop_start()
    return publisher


@needs_broker
def test_owntracks_over_mqtt_is_stored_like_http(rt):
    employee_id = employees.create_employee(rt.db, "M1", "Mika Mqtt", None)
    track_around_the_clock(rt.db, employee_id)
    user, device = f"u{uuid.uuid4().hex[:8]}", "phone"
    devices.add_device(rt.db, f"{user}/{device}", employee_id, "owntracks", "x")
    subscriber = _subscriber(rt)
    subscriber.start()
    publisher = _publisher()
    try:
        assert subscriber.subscribed.wait(10)
        time.sleep(0.5)  # let the broker register the shared subscription
        tst = int(time.time()) - 5
        for i in range(3):
            body = {
                "_type": "location",
                "lat": round(60.1 + i / 100, 2),
                "lon": 24.9,
                "tst": str(tst + i),
                "vel": 18,
                "acc": 7,
                "batt": 80,
            }
            publisher.publish(f"owntracks/{user}/{device}", orjson.dumps(body), qos=1).wait_for_publish(5)
        transition = {"_type": "transition", "event": "leave", "desc": "Office", "tst": tst + 3}
        publisher.publish(f"owntracks/{user}/{device}/event", orjson.dumps(transition), qos=1).wait_for_publish(5)
        publisher.publish("owntracks/stranger/phone", b'{"_type":"location","lat":1,"lon":1,"tst":1}', qos=1)
        deadline = time.monotonic() + 10
        while subscriber.stored < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        publisher.loop_stop()
        publisher.disconnect()
        subscriber.close()
    drain(rt)
    rows = rt.db.fetch_all(
        "SELECT ts, lat, speed, accuracy, source FROM positions WHERE employee_id = %s ORDER BY ts", (employee_id,)
    )
    assert [r["lat"] for r in rows] == [60.1, 60.11, 60.12]
    assert rows[0]["ts"] == datetime.fromtimestamp(tst, UTC)
    assert [(r["speed"], r["accuracy"], r["source"]) for r in rows] == [(pytest.approx(5.0), 7, "mqtt")] * 3
    [event] = activities.events(rt.db, employee_id, ("geofence_exit",))
    assert event["attributes"]["desc"] == "Office"
    assert rt.db.fetch_one("SELECT count(*) AS n FROM positions")["n"] == 3


@needs_broker
def test_a_message_that_arrives_while_redis_is_down_waits_and_is_stored_after(settings, own_redis):
    """Issue 14: the broker's message was acknowledged and dropped when storing it failed; now it waits."""
    rt = Runtime.open(replace(settings, redis_url=own_redis.url))
    employee_id = employees.create_employee(rt.db, "M2", "Mira Mqtt", None)
    track_around_the_clock(rt.db, employee_id)
    user = f"u{uuid.uuid4().hex[:8]}"
    devices.add_device(rt.db, f"{user}/phone", employee_id, "owntracks", "x")
    subscriber = _subscriber(rt)
    subscriber.start()
    publisher = _publisher()
    try:
        assert subscriber.subscribed.wait(10)
        time.sleep(0.5)
        own_redis.stop()
        body = {"_type": "location", "lat": 60.2, "lon": 24.9, "tst": int(time.time()) - 5}
        publisher.publish(f"owntracks/{user}/phone", orjson.dumps(body), qos=1).wait_for_publish(5)
        time.sleep(1.5)
        assert subscriber.stored == 0
        own_redis.start()
        deadline = time.monotonic() + 20
        while subscriber.stored < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert subscriber.stored == 1
        drain(rt)
        assert rt.db.fetch_one("SELECT count(*) AS n FROM positions WHERE employee_id = %s", (employee_id,))["n"] == 1
    finally:
        publisher.loop_stop()
        publisher.disconnect()
        subscriber.close()
        rt.close()
