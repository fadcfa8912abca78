#!/usr/bin/env python3
"""A small OTLP/HTTP protobuf exporter for the dashboard's browser test (standard library only).

Reads the variables run mode injects (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS, OTEL_SERVICE_NAME,
OTEL_RESOURCE_ATTRIBUTES) and every second POSTs one nested trace, two log records and two metrics, encoded by
hand from the OTLP .proto field numbers. Prints one line per export so the console page has something to show."""
import os
import random
import struct
import sys
import time
import urllib.request


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(field, wire):
    return varint((field << 3) | wire)


def ld(field, payload):
    return key(field, 2) + varint(len(payload)) + payload


def text(field, value):
    return ld(field, value.encode())


def fixed64(field, value):
    return key(field, 1) + struct.pack("<Q", value)


def double(field, value):
    return key(field, 1) + struct.pack("<d", value)


def uint(field, value):
    return key(field, 0) + varint(value)


def kv(name, value):
    # Resource.attributes (field 1) holding KeyValue{key=1, value=2: AnyValue{string_value=1}}
    return ld(1, text(1, name) + ld(2, text(1, value)))


def resource():
    attrs = [kv("service.name", os.environ.get("OTEL_SERVICE_NAME", "otlp-demo"))]
    for pair in os.environ.get("OTEL_RESOURCE_ATTRIBUTES", "").split(","):
        if "=" in pair:
            k, v = pair.split("=", 1)
            attrs.append(kv(k.strip(), v.strip()))
    return ld(1, b"".join(attrs))


def span(trace_id, span_id, parent, name, kind, start, end, attrs=()):
    body = ld(1, trace_id) + ld(2, span_id) + (ld(4, parent) if parent else b"") + text(5, name) + uint(6, kind)
    body += fixed64(7, start) + fixed64(8, end) + b"".join(ld(9, text(1, k) + ld(2, text(1, v))) for k, v in attrs)
    return ld(2, body)


def post(endpoint, headers, path, payload):
    request = urllib.request.Request(endpoint.rstrip("/") + path, data=payload, method="POST")
    request.add_header("Content-Type", "application/x-protobuf")
    for name, value in headers.items():
        request.add_header(name, value)
    with urllib.request.urlopen(request, timeout=5) as response:
        response.read()


def main():
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if not endpoint:
        print("OTEL_EXPORTER_OTLP_ENDPOINT is not set; nothing to export", file=sys.stderr)
        return 2
    headers = dict(p.split("=", 1) for p in os.environ.get("OTEL_EXPORTER_OTLP_HEADERS", "").split(",") if "=" in p)
    scope = ld(1, text(1, "mlaspire.otlp_emitter"))
    job = 0
    while True:
        job += 1
        now = time.time_ns()
        trace_id = random.randbytes(16)
        root, pre, infer, run = (random.randbytes(8) for _ in range(4))
        spans = b"".join([
            span(trace_id, root, None, "POST /v1/classify", 2, now, now + 42_000_000, [("http.route", "/v1/classify")]),
            span(trace_id, pre, root, "preprocess image", 1, now + 2_000_000, now + 12_000_000),
            span(trace_id, infer, root, "ModelInfer", 3, now + 13_000_000, now + 40_000_000, [("model", "digits")]),
            span(trace_id, run, infer, "ort.run", 1, now + 15_000_000, now + 37_000_000),
        ])
        post(endpoint, headers, "/v1/traces", ld(1, resource() + ld(2, scope + spans)))

        records = b"".join(
            ld(2, fixed64(1, now) + uint(2, severity) + ld(5, text(1, message)) + ld(9, trace_id) + ld(10, root))
            for severity, message in [(9, f"classified job {job}"), (13 if job % 3 == 0 else 9, f"queue depth {job % 7}")])
        post(endpoint, headers, "/v1/logs", ld(1, resource() + ld(2, scope + records)))

        pending = ld(5, ld(1, fixed64(3, now) + double(4, float(random.randint(0, 10)))))
        batch = ld(9, ld(1, fixed64(3, now) + fixed64(4, job) + double(5, 4.0 * job + random.random())) + uint(2, 2))
        metrics = ld(2, text(1, "nv_inference_pending_request_count") + pending) + \
            ld(2, text(1, "mlaspire_inference_batch_size") + text(3, "{images}") + batch)
        post(endpoint, headers, "/v1/metrics", ld(1, resource() + ld(2, scope + metrics)))
        print(f"exported trace {trace_id.hex()} (job {job})", flush=True)
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())
